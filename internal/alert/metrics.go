package alert

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what became of deliveries; a nil *Metrics counts
// nothing, for fan-outs built without metrics.
type Metrics struct{ deliveries *prometheus.CounterVec }

// NewMetrics makes the delivery counters; register Collectors.
func NewMetrics() *Metrics {
	return &Metrics{deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "khabar_alert_deliveries_total",
		Help: "Alert deliveries to one recipient, by channel and outcome: delivered, gone (recipient removed), retry (still failing after the batch's tries), failed.",
	}, []string{"channel", "outcome"})}
}

// Collectors are the metrics to register.
func (m *Metrics) Collectors() []prometheus.Collector { return []prometheus.Collector{m.deliveries} }

func (m *Metrics) delivered(channel string, o Outcome) {
	if m != nil {
		m.deliveries.WithLabelValues(channel, o.String()).Inc()
	}
}
