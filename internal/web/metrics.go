package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTPMetrics counts requests and times them by the ServeMux pattern that
// answered, never the raw path: a path is whatever a client sends, and a
// label per path would grow without bound.
type HTTPMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewHTTPMetrics makes the request metrics; register Collectors.
func NewHTTPMetrics() *HTTPMetrics {
	return &HTTPMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "khabar_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		// By status class only: a histogram is a dozen series, and codes
		// multiply them for little.
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "khabar_http_request_duration_seconds",
			Help: "Time to answer HTTP requests, by route pattern and status class.",
			// A cache hit takes microseconds, a render milliseconds.
			Buckets: []float64{.0001, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "class"}),
	}
}

// Collectors are the metrics to register.
func (m *HTTPMetrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.requests, m.duration}
}

// Status codes and classes as label values, made once: the hot path
// formats nothing.
var codeLabels, classLabels = func() (codes, classes [600]string) {
	for c := 100; c < 600; c++ {
		codes[c], classes[c] = strconv.Itoa(c), strconv.Itoa(c/100)+"xx"
	}
	return
}()

// unmatched labels requests no pattern answered (refused before routing,
// or by a handler outside the mux).
const unmatched = "unmatched"

// Handler measures next. It reads r.Pattern after next returns, which
// ServeMux sets on the request it was handed; handlers in between must
// pass that request on, not a copy.
func (m *HTTPMetrics) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.status
		if code == 0 {
			code = http.StatusOK // nothing written: net/http sends 200
		}
		route := r.Pattern
		if route == "" {
			route = unmatched
		}
		codeLabel, classLabel := "other", "other"
		if code >= 100 && code < 600 {
			codeLabel, classLabel = codeLabels[code], classLabels[code]
		}
		m.requests.WithLabelValues(route, codeLabel).Inc()
		m.duration.WithLabelValues(route, classLabel).Observe(time.Since(start).Seconds())
	})
}
