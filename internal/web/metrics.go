package web

import (
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTPMetrics counts requests and times them by the ServeMux pattern that
// answered, never the raw path: a path is whatever a client sends, and a
// label per path would grow without bound.
type HTTPMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	// children caches each (route, code)'s series, so a request costs one
	// map lookup instead of hashing and checking labels twice; the map is
	// copied on the rare write, so reads take no lock every core contends.
	children atomic.Pointer[map[routeCode]child]
	grow     sync.Mutex
}

type routeCode struct {
	route string
	code  int
}

type child struct {
	count prometheus.Counter
	took  prometheus.Observer
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

// Status codes and classes as label values, made once.
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
		c := m.child(route, code)
		c.count.Inc()
		c.took.Observe(time.Since(start).Seconds())
	})
}

func (m *HTTPMetrics) child(route string, code int) child {
	k := routeCode{route, code}
	if cs := m.children.Load(); cs != nil {
		if c, ok := (*cs)[k]; ok {
			return c
		}
	}
	m.grow.Lock()
	defer m.grow.Unlock()
	old := m.children.Load()
	if old != nil {
		if c, ok := (*old)[k]; ok {
			return c
		}
	}
	codeLabel, classLabel := "other", "other"
	if code >= 100 && code < 600 {
		codeLabel, classLabel = codeLabels[code], classLabels[code]
	}
	c := child{m.requests.WithLabelValues(route, codeLabel), m.duration.WithLabelValues(route, classLabel)}
	cs := make(map[routeCode]child, 1)
	if old != nil {
		cs = maps.Clone(*old)
	}
	cs[k] = c
	m.children.Store(&cs)
	return c
}
