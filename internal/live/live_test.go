package live

import (
	"errors"
	"testing"

	"khabar/internal/news"
)

func TestSubscribe(t *testing.T) {
	h := NewHub()
	h.Publish("ticker", Message{ID: 7, Event: "ticker", Data: []byte(`["عاجل"]`)})
	cases := []struct {
		name     string
		lastSeen int64
		known    bool
		catchUp  bool
	}{
		{"a new page gets the current state", 0, false, true},
		{"a page behind gets it", 5, true, true},
		{"an up-to-date page gets nothing", 7, true, false},
	}
	for _, c := range cases {
		sub, err := h.Subscribe("ticker", "10.0.0.1", c.lastSeen, c.known)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		select {
		case m := <-sub.C:
			if !c.catchUp || m.ID != 7 {
				t.Errorf("%s: got message %d", c.name, m.ID)
			}
		default:
			if c.catchUp {
				t.Errorf("%s: no catch-up", c.name)
			}
		}
		sub.Close()
	}
	sub, _ := h.Subscribe("ticker", "10.0.0.1", 7, true)
	h.Publish("ticker", Message{ID: 8, Event: "ticker", Data: []byte("[]")})
	if m := <-sub.C; m.ID != 8 {
		t.Errorf("published: %d", m.ID)
	}
	h.Close()
	select {
	case <-sub.Gone:
	default:
		t.Error("Close left a subscription open")
	}
	sub.Close()
}

func TestSlowClientIsDropped(t *testing.T) {
	h := NewHub()
	sub, err := h.Subscribe("ticker", "10.0.0.1", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for i := 0; i < clientBuffer+5; i++ {
		h.Publish("ticker", Message{ID: int64(i), Event: "ticker", Data: []byte("x")})
	}
	select {
	case <-sub.Gone:
	default:
		t.Fatal("a client that never reads was not dropped")
	}
	if h.Clients("ticker") != 0 {
		t.Error("dropped client still subscribed")
	}
}

func TestStreamLimits(t *testing.T) {
	h := NewHub()
	h.MaxPerIP, h.MaxStreams = 2, 3
	var subs []*Subscription
	for _, ip := range []string{"a", "a", "b"} {
		sub, err := h.Subscribe("ticker", ip, 0, false)
		if err != nil {
			t.Fatalf("stream %d: %v", len(subs)+1, err)
		}
		subs = append(subs, sub)
	}
	if _, err := h.Subscribe("ticker", "c", 0, false); !errors.Is(err, news.ErrUnavailable) {
		t.Errorf("a stream past the node's limit: %v", err)
	}
	subs[2].Close()
	if _, err := h.Subscribe("ticker", "a", 0, false); !errors.Is(err, news.ErrTooMany) {
		t.Errorf("a third stream from one address: %v", err)
	}
	subs[0].Close()
	subs[0].Close() // twice is harmless
	if sub, err := h.Subscribe("ticker", "a", 0, false); err != nil {
		t.Errorf("a stream after one closed: %v", err)
	} else {
		sub.Close()
	}
}
