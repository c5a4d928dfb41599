package live

import (
	"errors"
	"slices"
	"testing"
	"time"

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

// TestChangesReplay: an incremental topic's changes reach a new stream
// only when it says what it has seen, only those it has not, and only
// while they are recent: a page that did not say (or came long after) is
// given no old comment as if it were new.
func TestChangesReplay(t *testing.T) {
	h := NewHub()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	h.now = func() time.Time { return now }
	for id := int64(1); id <= 3; id++ {
		h.Append("comments/9", Message{ID: id, Event: "comment"})
	}
	received := func(lastSeen int64, known bool) []int64 {
		sub, err := h.Subscribe("comments/9", "10.0.0.1", lastSeen, known)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		var ids []int64
		for {
			select {
			case m := <-sub.C:
				ids = append(ids, m.ID)
			default:
				return ids
			}
		}
	}
	cases := []struct {
		name     string
		lastSeen int64
		known    bool
		want     []int64
	}{
		{"a page that does not say what it has seen", 0, false, nil},
		{"a page rendered after the first change", 1, true, []int64{2, 3}},
		{"an up-to-date page", 3, true, nil},
	}
	for _, c := range cases {
		if got := received(c.lastSeen, c.known); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	for id := int64(4); id <= 4+recentChanges; id++ {
		h.Append("comments/9", Message{ID: id, Event: "comment"})
	}
	if got := received(0, true); len(got) != recentChanges || got[0] != 5 {
		t.Errorf("after many changes a page from the start gets %v, want the last %d", got, recentChanges)
	}
	now = now.Add(recentAge + time.Second)
	if got := received(0, true); got != nil {
		t.Errorf("changes older than %s replayed: %v", recentAge, got)
	}
	if len(h.recent) != 0 {
		t.Errorf("a topic with no recent change is still kept: %v", h.recent)
	}
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
