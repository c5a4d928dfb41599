package outbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

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
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(d.Collectors()...)
			want := []string{`khabar_outbox_lag_events{consumer="quick"} 0`, `khabar_outbox_lag_events{consumer="stuck"} 3`}
			deadline := time.Now().Add(10 * time.Second)
			for {
				text, err := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, "khabar_outbox_lag_events")
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(text), want[0]+"\n") && strings.Contains(string(text), want[1]+"\n") {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("after 10s, want %q in\n%s", want, text)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
