package site

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"khabar/internal/live"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/web"
)

// stream opens an SSE connection and returns a function reading the next
// event's "id|event|data", failing after timeout.
func stream(t *testing.T, url string, lastID string) (next func() string, closeFn func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next = func() string {
		var id, ev, data string
		deadline := time.After(5 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return "closed"
				}
				switch {
				case strings.HasPrefix(l, "id: "):
					id = l[4:]
				case strings.HasPrefix(l, "event: "):
					ev = l[7:]
				case strings.HasPrefix(l, "data: "):
					data = l[6:]
				case l == "" && ev != "":
					return id + "|" + ev + "|" + data
				case strings.HasPrefix(l, ": keepalive"):
					return "keepalive"
				}
			case <-deadline:
				t.Fatal("no event within 5s")
			}
		}
	}
	return next, func() { cancel(); res.Body.Close() }
}

// eventServer streams topic "ticker" of h over HTTP, as /live/ticker does.
func eventServer(h *live.Hub) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { live.Serve(w, r, h, tickerTopic, web.ClientIP(r)) }))
}

func TestServeEvents(t *testing.T) {
	h := live.NewHub()
	h.KeepAlive = 200 * time.Millisecond
	srv := eventServer(h)
	defer srv.Close()

	next, stop := stream(t, srv.URL, "")
	waitClients(t, h, 1)
	h.Publish("ticker", live.Message{ID: 7, Event: "ticker", Data: []byte(`["عاجل"]`)})
	if got := next(); got != `7|ticker|["عاجل"]` {
		t.Errorf("published: %q", got)
	}
	if got := next(); got != "keepalive" {
		t.Errorf("idle stream: %q", got)
	}
	stop()

	// Reconnecting with an older id gets the current state at once; with
	// the current id, nothing.
	next2, stop2 := stream(t, srv.URL, "5")
	if got := next2(); got != `7|ticker|["عاجل"]` {
		t.Errorf("catch-up: %q", got)
	}
	stop2()
	next3, stop3 := stream(t, srv.URL, "7")
	if got := next3(); got != "keepalive" {
		t.Errorf("up-to-date client got %q", got)
	}
	stop3()

	// Close ends every stream (graceful shutdown).
	next4, stop4 := stream(t, srv.URL, "7")
	defer stop4()
	waitClients(t, h, 1)
	h.Close()
	for {
		if got := next4(); got == "closed" {
			break
		}
	}
}

func waitClients(t *testing.T, h *live.Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.Clients("ticker") != n {
		if time.Now().After(deadline) {
			t.Fatalf("want %d clients, have %d", n, h.Clients("ticker"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStreamLimits(t *testing.T) {
	h := live.NewHub()
	h.MaxPerIP, h.MaxStreams = 2, 3
	srv := eventServer(h)
	defer srv.Close()
	var stops []func()
	for i := 0; i < 2; i++ {
		_, stop := stream(t, srv.URL, "")
		stops = append(stops, stop)
	}
	waitClients(t, h, 2)
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third stream from one address: %d", res.StatusCode)
	}
	for _, stop := range stops {
		stop()
	}
	waitClients(t, h, 0)
	// Their streams are no longer counted: two more may open.
	deadline := time.Now().Add(5 * time.Second)
	for {
		sub, err := h.Subscribe("ticker", "127.0.0.1", 0, false)
		if err == nil {
			sub.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("streams still counted after their readers left: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestStreamReplaysChangesSincePage: an article page says which event it
// reflects, and a comments stream opened with it gets the changes after
// that event only; one opened without it gets no old comment as new.
func TestStreamReplaysChangesSincePage(t *testing.T) {
	storetest.Each(t, testStreamReplaysChangesSincePage)
}

func testStreamReplaysChangesSincePage(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	a := f.first(t)
	if err := f.s.HandleEvent(context.Background(), news.Event{ID: 41, Kind: news.EventCommentChanged, ArticleID: a.ID}); err != nil {
		t.Fatal(err)
	}
	if r := f.get(news.ArticlePath(a)); !strings.Contains(r.Body, `data-since="41"`) {
		t.Fatalf("the article page does not say it reflects event 41")
	}
	h := live.NewHub()
	h.KeepAlive = 200 * time.Millisecond
	topic := commentsTopic(a.ID)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { live.Serve(w, r, h, topic, web.ClientIP(r)) }))
	defer srv.Close()
	h.Append(topic, live.Message{ID: 41, Event: "comment", Data: []byte(`{"id":1}`)})
	h.Append(topic, live.Message{ID: 42, Event: "comment", Data: []byte(`{"id":2}`)})
	cases := []struct{ name, query, want string }{
		{"a page rendered at event 41", "?since=41", `42|comment|{"id":2}`},
		{"a page that does not say", "", "keepalive"},
		{"a forged since", "?since=-5", "keepalive"},
	}
	for _, c := range cases {
		next, stop := stream(t, srv.URL+c.query, "")
		if got := next(); got != c.want {
			t.Errorf("%s: first got %q, want %q", c.name, got, c.want)
		}
		stop()
	}
}
