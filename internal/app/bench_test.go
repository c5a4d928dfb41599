package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"khabar/internal/config"
)

// nopW discards the response, so only our own allocations are counted.
type nopW struct{ h http.Header }

func (d *nopW) Header() http.Header         { return d.h }
func (d *nopW) Write(p []byte) (int, error) { return len(p), nil }
func (d *nopW) WriteHeader(int)             {}

// BenchmarkHandlerHit is an article cache hit through the whole middleware
// stack, without the network.
func BenchmarkHandlerHit(b *testing.B) {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = b.TempDir()
	cfg.Demo = true
	a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	h := a.Handler()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/news/21", nil))
	loc := w.Header().Get("Location")
	r := httptest.NewRequest("GET", loc, nil)
	r.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(&nopW{h: http.Header{}}, r)
	}
}
