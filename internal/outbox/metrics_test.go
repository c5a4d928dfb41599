package outbox_test

import (
	"context"
	"testing"
	"time"

	"khabar/internal/metricstest"
	"khabar/internal/news"
	"khabar/internal/outbox"
	"khabar/internal/storetest"
)

// TestLagMetric: a consumer stuck on an event shows the events behind it;
// one that keeps up shows none.
func TestLagMetric(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			release := make(chan struct{})
			stuck := func(ctx context.Context, _ news.Event) error {
				select {
				case <-release:
				case <-ctx.Done():
				}
				return ctx.Err()
			}
			var r recorder
			d, _ := start(t, s, outbox.Consumer{Name: "stuck", Handle: stuck}, outbox.Consumer{Name: "quick", Handle: r.handle})
			t.Cleanup(func() { close(release) })
			tick(t, s, 3)
			deadline := time.Now().Add(time.Minute)
			for {
				series := metricstest.Collect(t, d.Collectors()...)
				quick, stuck := series[`khabar_outbox_lag_events{consumer="quick"}`], series[`khabar_outbox_lag_events{consumer="stuck"}`]
				if quick == 0 && stuck == 3 {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("after a minute, lag of quick %v (want 0), of stuck %v (want 3)", quick, stuck)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
