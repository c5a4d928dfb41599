package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/outbox"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestReadiness drives the probes over a real store and dispatcher: a
// consumer that keeps failing an event makes the node unready once the
// event is older than the allowed lag, and ready again when it catches
// up; a database that does not answer in time fails its own check.
func TestReadiness(t *testing.T) { storetest.Each(t, testReadiness) }

func testReadiness(t *testing.T, s *store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := &App{cfg: config.Default(), log: log, Store: s, Outbox: outbox.New(s, time.Hour, log)}
	var stuck atomic.Bool
	stuck.Store(true)
	a.Outbox.Subscribe(outbox.Consumer{Name: "follows", Handle: func(context.Context, news.Event) error { return nil }})
	a.Outbox.Subscribe(outbox.Consumer{Name: "stuck", Handle: func(context.Context, news.Event) error {
		if stuck.Load() {
			return errors.New("cannot")
		}
		return nil
	}})
	if err := a.Outbox.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); a.Outbox.Wait() })
	if err := s.CreateTicker(ctx, &news.TickerItem{Text: "سطر ينتظر"}); err != nil {
		t.Fatal(err)
	}
	h := a.health(http.NotFoundHandler())
	probe := func(method, path string) (int, string, http.Header) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		return w.Code, strings.TrimSpace(w.Body.String()), w.Header()
	}

	// Any event waits a little; past the lag it is a stuck outbox. (The
	// consumer named is whichever is behind at that moment.)
	a.cfg.ReadyOutboxLag = time.Nanosecond
	code, body, hdr := probe("GET", ReadyPath)
	var got struct {
		Ready          bool
		Failed, Reason string
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || code != 503 || got.Failed != "outbox" ||
		!strings.Contains(got.Reason, "has left an event waiting") || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("stuck consumer: %d %s %v", code, body, err)
	}
	a.cfg.ReadyOutboxLag = time.Hour
	if code, body, _ := probe("GET", ReadyPath); code != 200 || body != `{"ready":true}` {
		t.Errorf("within the lag: %d %s", code, body)
	}
	a.cfg.ReadyOutboxLag = time.Nanosecond
	stuck.Store(false)
	last, err := s.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The failing consumer retries after its backoff (100 ms at first).
	wait, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	if err := a.Outbox.WaitFor(wait, last); err != nil {
		t.Fatalf("consumer did not catch up within a minute: %v", err)
	}
	if code, body, _ := probe("GET", ReadyPath); code != 200 {
		t.Errorf("caught up: %d %s", code, body)
	}

	// The database's own checks.
	late, stop2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer stop2()
	if check, reason := a.ready(late); check != "database" || reason != "no answer within 2s" {
		t.Errorf("database out of time: %q %q", check, reason)
	}

	// Alive says so without asking anything; other methods and paths are
	// not the probes'.
	if code, body, hdr := probe("GET", HealthPath); code != 200 || body != "ok" || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("healthz: %d %q %v", code, body, hdr)
	}
	if code, _, hdr := probe("POST", HealthPath); code != 405 || hdr.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST healthz: %d", code)
	}
	if code, _, _ := probe("GET", "/healthz/x"); code != 404 {
		t.Errorf("other paths go on: %d", code)
	}
}
