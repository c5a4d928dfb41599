package cdn_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/cdn"
	"khabar/internal/cdn/cdnapitest"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

const (
	token   = cdnapitest.Token
	service = cdnapitest.Service
	zone    = cdnapitest.Zone
)

// fastlyAPI and cloudflareAPI are the stand-ins for the public APIs.
var (
	fastlyAPI     = cdnapitest.Fastly
	cloudflareAPI = cdnapitest.Cloudflare
)

type api = cdnapitest.API

func purger(t *testing.T, o cdn.Options) cdn.Purger {
	t.Helper()
	p, err := cdn.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAdapters: one purge through each API reaches it in the shape its
// documentation gives.
func TestAdapters(t *testing.T) {
	keys := []string{"article:7", "home", "latest", "section:2"}
	for _, c := range []struct {
		name string
		api  func(t *testing.T) *api
		opts func(url string) cdn.Options
	}{
		{"fastly", func(t *testing.T) *api { return fastlyAPI(t, false) },
			func(u string) cdn.Options {
				return cdn.Options{Kind: cdn.Fastly, URLs: []string{u}, Service: service, Token: token}
			}},
		{"fastly soft", func(t *testing.T) *api { return fastlyAPI(t, true) },
			func(u string) cdn.Options {
				return cdn.Options{Kind: cdn.Fastly, URLs: []string{u}, Service: service, Token: token, Soft: true}
			}},
		{"cloudflare", cloudflareAPI,
			func(u string) cdn.Options {
				return cdn.Options{Kind: cdn.Cloudflare, URLs: []string{u + "/client/v4"}, Zone: zone, Token: token}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.api(t)
			if err := purger(t, c.opts(a.Srv.URL)).Purge(context.Background(), keys); err != nil {
				t.Fatal(err)
			}
			if got := a.Requests(); len(got) != 1 || !slices.Equal(got[0], keys) {
				t.Errorf("requests %q, want one with %q", got, keys)
			}
		})
	}
}

// TestAdapterErrors: an API's refusal is an error naming its reason.
func TestAdapterErrors(t *testing.T) {
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/purge_cache") {
			// Cloudflare says no in its envelope, with a 200 or not.
			w.Write([]byte(`{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}`))
			return
		}
		http.Error(w, `{"msg":"Provided credentials are missing or invalid"}`, http.StatusUnauthorized)
	}))
	defer refuse.Close()
	for _, c := range []struct {
		o    cdn.Options
		want string
	}{
		{cdn.Options{Kind: cdn.Fastly, URLs: []string{refuse.URL}, Service: service, Token: token}, "answered 401: {\"msg\":\"Provided credentials"},
		{cdn.Options{Kind: cdn.Cloudflare, URLs: []string{refuse.URL}, Zone: zone, Token: token}, "refused: 10000 Authentication error"},
		{cdn.Options{Kind: cdn.Varnish, URLs: []string{refuse.URL}}, "answered 401"},
	} {
		err := purger(t, c.o).Purge(context.Background(), []string{"home"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.o.Kind, err, c.want)
		}
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func consumer(p cdn.Purger, s *store.Store) *cdn.Consumer {
	return &cdn.Consumer{Purger: p, Log: quiet(), Backoff: []time.Duration{time.Millisecond, time.Millisecond},
		Keys: func(ev news.Event) []string {
			if ev.ArticleID == 0 {
				return nil
			}
			return []string{"article:" + strconv.FormatInt(ev.ArticleID, 10), "home"}
		},
		Claim: func(ctx context.Context, id int64) (int64, bool, error) { return s.ClaimEvents(ctx, "cdn.claims", id) }}
}

func events(from, to int64) []news.Event {
	var evs []news.Event
	for id := from; id <= to; id++ {
		evs = append(evs, news.Event{ID: id, Kind: news.EventArticleUpdated, ArticleID: id, At: time.Now()})
	}
	return evs
}

// TestConsumerBatches: a batch of events is one purge of their keys,
// each key once, in requests of at most the API's limit (Cloudflare's
// 100 tags).
func TestConsumerBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := cloudflareAPI(t)
		c := consumer(purger(t, cdn.Options{Kind: cdn.Cloudflare, URLs: []string{a.Srv.URL + "/client/v4"}, Zone: zone, Token: token}), s)
		if err := c.HandleBatch(context.Background(), events(1, 249)); err != nil {
			t.Fatal(err)
		}
		got := a.Requests()
		var sizes []int
		seen := map[string]int{}
		for _, r := range got {
			sizes = append(sizes, len(r))
			for _, k := range r {
				seen[k]++
			}
		}
		// 249 articles and "home": 250 keys.
		if !slices.Equal(sizes, []int{100, 100, 50}) || len(seen) != 250 || seen["home"] != 1 {
			t.Errorf("requests of %v keys, %d keys in all, home %d times; want 100, 100, 50 keys, 250, once", sizes, len(seen), seen["home"])
		}
	})
}

// TestConsumerClaims: two nodes see the same events; each event is
// purged by the one that claimed it, and a purge that failed is retried
// by its claimer even though the other node has moved on.
func TestConsumerClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := fastlyAPI(t, false)
		p := purger(t, cdn.Options{Kind: cdn.Fastly, URLs: []string{a.Srv.URL}, Service: service, Token: token})
		node1, node2 := consumer(p, s), consumer(p, s)
		ctx := context.Background()

		if err := node1.HandleBatch(ctx, events(1, 3)); err != nil {
			t.Fatal(err)
		}
		// Node 2 woke later, with one more event: it purges that one.
		if err := node2.HandleBatch(ctx, events(1, 4)); err != nil {
			t.Fatal(err)
		}
		if err := node1.HandleBatch(ctx, events(4, 4)); err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"article:1", "home", "article:2", "article:3"}, {"article:4", "home"}}
		// Node 1 had claimed 1 to 3, node 2 claimed 4 alone; node 1 then
		// has nothing left to purge.
		if got := a.Requests(); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("after both nodes: %q, want %q", got, want)
		}

		// The API fails every attempt of node 1's purge of event 5 (three
		// tries); node 2 cannot claim it, and node 1's retry purges it.
		a.FailNext(http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
		if err := node1.HandleBatch(ctx, events(5, 5)); err == nil || !strings.Contains(err.Error(), "answered 503") {
			t.Fatalf("purge against a failing API: %v, want the 503", err)
		}
		if err := node2.HandleBatch(ctx, events(5, 5)); err != nil {
			t.Fatal(err)
		}
		if err := node1.HandleBatch(ctx, events(5, 5)); err != nil {
			t.Fatalf("node 1 retrying its claim: %v", err)
		}
		got := a.Requests()
		if len(got) != 3 || !slices.Equal(got[2], []string{"article:5", "home"}) {
			t.Errorf("event 5 purged by %q, want once, by node 1's retry", got[2:])
		}
	})
}

// TestConsumerRetries: a 429 with Retry-After is waited out and the
// purge goes through.
func TestConsumerRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := cloudflareAPI(t)
		a.FailNext(http.StatusTooManyRequests)
		c := consumer(purger(t, cdn.Options{Kind: cdn.Cloudflare, URLs: []string{a.Srv.URL + "/client/v4"}, Zone: zone, Token: token}), s)
		start := time.Now()
		if err := c.HandleBatch(context.Background(), events(1, 1)); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < time.Second {
			t.Errorf("retried after %s, before the Retry-After of 1 s", waited)
		}
		if got := a.Requests(); len(got) != 1 {
			t.Errorf("%d purges went through, want 1", len(got))
		}
	})
}

// TestConsumerLate: a node that learns of an event late purges its keys
// too, claimed or not, once its own page cache has handled it (its old
// page may have gone back into the CDN after the claimer's purge).
func TestConsumerLate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := fastlyAPI(t, false)
		p := purger(t, cdn.Options{Kind: cdn.Fastly, URLs: []string{a.Srv.URL}, Service: service, Token: token})
		claimer, late := consumer(p, s), consumer(p, s)
		var pageCache atomic.Int64
		late.Late, late.Seen = time.Second, pageCache.Load
		ctx := context.Background()
		evs := events(1, 2)
		evs[0].At = time.Now().Add(-time.Minute) // found by the poll, long after
		if err := claimer.HandleBatch(ctx, evs); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- late.HandleBatch(ctx, evs) }()
		select {
		case err := <-done:
			t.Fatalf("purged (%v) before the page cache handled the event", err)
		case <-time.After(100 * time.Millisecond):
		}
		pageCache.Store(1)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"article:1", "home", "article:2"}, {"article:1", "home"}}
		if got := a.Requests(); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("purges %q, want %q: the late node purges the late event only", got, want)
		}
	})
}

// TestConsumerStopping: a node told to stop just after it claimed
// events still purges them (no other node would), but does not retry a
// failed request: the stop must end.
func TestConsumerStopping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := fastlyAPI(t, false)
		c := consumer(purger(t, cdn.Options{Kind: cdn.Fastly, URLs: []string{a.Srv.URL}, Service: service, Token: token}), s)
		var stopNow context.CancelFunc
		claim := c.Claim
		c.Claim = func(ctx context.Context, id int64) (int64, bool, error) {
			from, ok, err := claim(ctx, id)
			stopNow() // the stop comes now
			return from, ok, err
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stopNow = cancel
		if err := c.HandleBatch(ctx, events(1, 1)); err != nil {
			t.Fatalf("purge of a claim when stopping: %v", err)
		}
		if got := a.Requests(); len(got) != 1 {
			t.Fatalf("%d purges, want the claimed one", len(got))
		}

		a.FailNext(http.StatusServiceUnavailable, http.StatusServiceUnavailable)
		ctx2, cancel2 := context.WithCancel(context.Background())
		defer cancel2()
		stopNow = cancel2
		err := c.HandleBatch(ctx2, events(2, 2))
		if err == nil || !strings.Contains(err.Error(), "not retried: the node is stopping") {
			t.Errorf("a failed purge when stopping: %v, want it not retried", err)
		}
		if got := a.Requests(); len(got) != 1 {
			t.Errorf("%d purges went through, want none more", len(got)-1)
		}
	})
}
