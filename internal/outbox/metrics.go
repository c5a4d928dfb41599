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
	newest, err := l.d.store.LastEventID(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(l.desc, err)
		return
	}
	l.d.mu.Lock()
	defer l.d.mu.Unlock()
	for _, s := range l.d.subs {
		ch <- prometheus.MustNewConstMetric(l.desc, prometheus.GaugeValue, float64(max(newest-s.last, 0)), s.Name)
	}
}

// Collectors are the dispatcher's metrics.
func (d *Dispatcher) Collectors() []prometheus.Collector {
	return []prometheus.Collector{lag{d: d, desc: prometheus.NewDesc("khabar_outbox_lag_events",
		"Events written but not yet handled by a consumer of this node (newest event id minus the consumer's position).",
		[]string{"consumer"}, nil)}}
}
