package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"khabar/internal/metricstest"
)

// TestHTTPMetrics: requests are labelled with the pattern that answered
// them and their status, whatever the path; a handler that writes nothing
// is a 200, a request no pattern took is "unmatched".
func TestHTTPMetrics(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /section/{slug}", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /gone/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	m := NewHTTPMetrics()
	h := m.Handler(Limit(func(w http.ResponseWriter, r *http.Request, status int) { w.WriteHeader(status) }, mux))
	for _, target := range []string{"/section/a", "/section/%D8%A7", "/gone/1", "/gone/2", "/gone/3", "/nothing", "/?q=" + strings.Repeat("x", MaxQueryBytes)} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	got := metricstest.Collect(t, m.Collectors()...)
	for series, want := range map[string]float64{
		`khabar_http_requests_total{code="200",route="GET /section/{slug}"}`:                  2,
		`khabar_http_requests_total{code="410",route="GET /gone/{id}"}`:                       3,
		`khabar_http_requests_total{code="404",route="unmatched"}`:                            1,
		`khabar_http_requests_total{code="414",route="unmatched"}`:                            1,
		`khabar_http_request_duration_seconds_count{class="4xx",route="GET /gone/{id}"}`:      3,
		`khabar_http_request_duration_seconds_count{class="2xx",route="GET /section/{slug}"}`: 2,
	} {
		if got[series] != want {
			t.Errorf("%s = %v, want %v", series, got[series], want)
		}
	}
}

// BenchmarkHTTPMetrics is what the middleware adds to each request.
func BenchmarkHTTPMetrics(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /news/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	r := httptest.NewRequest("GET", "/news/1", nil)
	w := httptest.NewRecorder()
	for _, bench := range []struct {
		name string
		h    http.Handler
	}{{"off", mux}, {"on", NewHTTPMetrics().Handler(mux)}} {
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bench.h.ServeHTTP(w, r)
			}
		})
	}
}
