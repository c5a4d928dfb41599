package app

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsPath is where the metrics listener serves Prometheus's text
// format; nothing else is served there.
const MetricsPath = "/metrics"

// newRegistry gathers the metrics each part registers where it measures,
// in a registry of the node's own: the process-wide default would mix in
// whatever a library registers, and two nodes in one test process would
// share it.
func newRegistry(parts ...[]prometheus.Collector) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	all := [][]prometheus.Collector{{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}}
	for _, cs := range append(all, parts...) {
		for _, c := range cs {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register metrics: %w", err)
			}
		}
	}
	return reg, nil
}

// metricsHandler serves reg at MetricsPath, to holders of token when it
// is set; every other path is a 404.
func metricsHandler(reg *prometheus.Registry, token string, log *slog.Logger) http.Handler {
	serve := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// A collector that fails (the database away) leaves the others.
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             30 * time.Second,
	})
	want := []byte("Bearer " + token)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+MetricsPath, func(w http.ResponseWriter, r *http.Request) {
		if token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics: missing or wrong bearer token", http.StatusUnauthorized)
			return
		}
		serve.ServeHTTP(w, r)
	})
	return mux
}
