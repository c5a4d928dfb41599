package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/outbox"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

type recorder struct {
	mu   sync.Mutex
	ids  []int64
	fail int // fail this many calls first
}

func (r *recorder) handle(_ context.Context, ev news.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return errors.New("transient")
	}
	r.ids = append(r.ids, ev.ID)
	return nil
}

func (r *recorder) seen() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.ids...)
}

func tick(t *testing.T, s *store.Store, n int) int64 {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if err := s.CreateTicker(ctx, &news.TickerItem{Text: "عاجل"}); err != nil {
			t.Fatal(err)
		}
	}
	id, err := s.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func start(t *testing.T, s *store.Store, cs ...outbox.Consumer) (*outbox.Dispatcher, context.CancelFunc) {
	t.Helper()
	d := outbox.New(s, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, c := range cs {
		d.Subscribe(c)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := d.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); d.Wait() })
	return d, func() { cancel(); d.Wait() }
}

func wait(t *testing.T, d *outbox.Dispatcher, id int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.WaitFor(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestDispatcher(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("InOrderAfterStart", func(t *testing.T) {
				s := b.Open(t)
				tick(t, s, 2) // before start: a non-durable consumer skips these
				var r recorder
				d, _ := start(t, s, outbox.Consumer{Name: "cache", Handle: r.handle})
				first := tick(t, s, 1)
				last := tick(t, s, 20)
				wait(t, d, last)
				got := r.seen()
				if len(got) != 21 || got[0] != first {
					t.Fatalf("got %v", got)
				}
				for i := 1; i < len(got); i++ {
					if got[i] <= got[i-1] {
						t.Fatalf("out of order: %v", got)
					}
				}
			})
			t.Run("DurableResumes", func(t *testing.T) {
				s := b.Open(t)
				var r1 recorder
				d, stop := start(t, s, outbox.Consumer{Name: "search", Durable: true, Handle: r1.handle})
				id := tick(t, s, 3)
				wait(t, d, id)
				stop()
				missed := tick(t, s, 4) // written while the consumer is down
				var r2 recorder
				d2, _ := start(t, s, outbox.Consumer{Name: "search", Durable: true, Handle: r2.handle})
				wait(t, d2, missed)
				if got := r2.seen(); len(got) != 4 || got[3] != missed {
					t.Fatalf("after restart got %v, want the 4 missed events", got)
				}
			})
			t.Run("BatchesGathered", func(t *testing.T) {
				// A batch consumer gets the events waiting in one call,
				// durably, and the whole batch again after an error.
				s := b.Open(t)
				var mu sync.Mutex
				var batches [][]int64
				fail := 1
				d, _ := start(t, s, outbox.Consumer{Name: "batch", Durable: true, Gather: 300 * time.Millisecond,
					HandleBatch: func(_ context.Context, evs []news.Event) error {
						mu.Lock()
						defer mu.Unlock()
						if fail > 0 {
							fail--
							return errors.New("transient")
						}
						var ids []int64
						for _, ev := range evs {
							ids = append(ids, ev.ID)
						}
						batches = append(batches, ids)
						return nil
					}})
				last := tick(t, s, 5)
				wait(t, d, last)
				mu.Lock()
				defer mu.Unlock()
				// How many batches depends on how fast the 5 writes came;
				// none is lost or repeated, the failed one included.
				var all []int64
				for _, b := range batches {
					all = append(all, b...)
				}
				if len(all) != 5 || all[0] != last-4 || all[4] != last || !slices.IsSorted(all) {
					t.Errorf("batches %v, want events %d to %d once each, in order", batches, last-4, last)
				}
				if id, ok, err := s.Cursor(context.Background(), "batch"); err != nil || !ok || id != last {
					t.Errorf("cursor %d %v %v, want %d", id, ok, err, last)
				}
			})
			t.Run("ExternalNotBehind", func(t *testing.T) {
				// A consumer of an outside service that keeps failing is
				// not what readiness reports as behind.
				s := b.Open(t)
				var r recorder
				stuck := func(context.Context, news.Event) error { return errors.New("CDN down") }
				d, _ := start(t, s, outbox.Consumer{Name: "cache", Handle: r.handle}, outbox.Consumer{Name: "cdn", External: true, Handle: stuck})
				id := tick(t, s, 2)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				for len(r.seen()) < 2 && ctx.Err() == nil {
					time.Sleep(10 * time.Millisecond)
				}
				if name, last := d.Behind(); name != "cache" || last != id {
					t.Errorf("Behind: %s at %d, want cache at %d (the external consumer left out)", name, last, id)
				}
				if d.Position("cdn") >= id {
					t.Errorf("the failing consumer at %d, past %d", d.Position("cdn"), id)
				}
			})
			t.Run("RetriesFailures", func(t *testing.T) {
				s := b.Open(t)
				r := recorder{fail: 2}
				d, _ := start(t, s, outbox.Consumer{Name: "flaky", Handle: r.handle})
				id := tick(t, s, 2)
				wait(t, d, id)
				if got := r.seen(); len(got) != 2 {
					t.Fatalf("got %v", got)
				}
			})
		})
	}
}
