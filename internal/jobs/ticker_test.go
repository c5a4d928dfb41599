package jobs

import (
	"context"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestTickerLineRunsOut: a ticker line that runs out on its own gets a
// ticker event at its time, which is what drops it from open pages; a
// line whose expiry was moved since gets none at the old time.
func TestTickerLineRunsOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		q := startQueue(t, s)
		// The line's own ticker event plans its job, as the outbox hands
		// it to every node.
		line := &news.TickerItem{Text: "سطر ينتهي بعد قليل", ExpiresAt: time.Now().Add(3 * time.Second)}
		if err := s.CreateTicker(ctx, line); err != nil {
			t.Fatal(err)
		}
		after, err := s.LastEventID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.HandleEvent(ctx, news.Event{ID: after, Kind: news.EventTickerChanged}); err != nil {
			t.Fatal(err)
		}
		// A minute: River looks for due jobs every five seconds, more on a
		// loaded machine.
		deadline := time.Now().Add(time.Minute)
		for {
			evs, err := s.EventsAfter(ctx, after, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) > 0 {
				if evs[0].Kind != news.EventTickerChanged || time.Now().Before(line.ExpiresAt) {
					t.Fatalf("event %+v at %s, want a ticker event after %s", evs[0], time.Now(), line.ExpiresAt)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no ticker event a minute after the line ran out at %s", line.ExpiresAt)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// A moved expiry: no line runs out at the old time any more.
		if err := s.TickerRanOut(ctx, line.ExpiresAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		last, _ := s.LastEventID(ctx)
		if evs, _ := s.EventsAfter(ctx, after, 10); len(evs) != 1 || evs[0].ID != last {
			t.Errorf("events after the line ran out: %+v, want only its own", evs)
		}
	})
}
