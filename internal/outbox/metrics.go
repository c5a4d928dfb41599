package outbox

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// lag reports, at scrape time, how far each consumer of this node is
// behind the newest event: a number that keeps growing is a consumer
// stuck on an event.
type lag struct {
	d    *Dispatcher
	desc *prometheus.Desc
}

func (l lag) Describe(ch chan<- *prometheus.Desc) { ch <- l.desc }

func (l lag) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lags, err := l.d.Lags(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(l.desc, err)
		return
	}
	for _, c := range lags {
		ch <- prometheus.MustNewConstMetric(l.desc, prometheus.GaugeValue, float64(c.Events), c.Consumer)
	}
}

// Lag is how many events a consumer of this node has yet to handle.
type Lag struct {
	Consumer string
	Events   int64
}

// Lags is each consumer's lag behind the newest event, in the order
// they subscribed.
func (d *Dispatcher) Lags(ctx context.Context) ([]Lag, error) {
	newest, err := d.store.LastEventID(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Lag, len(d.subs))
	for i, s := range d.subs {
		out[i] = Lag{Consumer: s.Name, Events: max(newest-s.last, 0)}
	}
	return out, nil
}

// Collectors are the dispatcher's metrics.
func (d *Dispatcher) Collectors() []prometheus.Collector {
	return []prometheus.Collector{lag{d: d, desc: prometheus.NewDesc("khabar_outbox_lag_events",
		"Events written but not yet handled by a consumer of this node (newest event id minus the consumer's position).",
		[]string{"consumer"}, nil)}}
}
