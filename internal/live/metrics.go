package live

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// streams reports open streams by topic kind, the part of a topic before
// its id ("comments/12" is of kind comments): a label per article would
// grow with the archive.
type streams struct {
	h    *Hub
	desc *prometheus.Desc
}

func (s streams) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }

func (s streams) Collect(ch chan<- prometheus.Metric) {
	byKind := map[string]int{}
	s.h.mu.Lock()
	for topic, cs := range s.h.clients {
		kind, _, _ := strings.Cut(topic, "/")
		byKind[kind] += len(cs)
	}
	s.h.mu.Unlock()
	for kind, n := range byKind {
		ch <- prometheus.MustNewConstMetric(s.desc, prometheus.GaugeValue, float64(n), kind)
	}
}

// Collectors are the hub's metrics.
func (h *Hub) Collectors() []prometheus.Collector {
	return []prometheus.Collector{streams{h: h, desc: prometheus.NewDesc("khabar_live_streams",
		"Open live (SSE) streams by topic kind: ticker, liveblog, comments.", []string{"kind"}, nil)}}
}
