package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/app"
	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/store"
)

// benchEditor makes an editor and returns their session cookies.
func benchEditor(b *testing.B, a *app.App, h http.Handler) []*http.Cookie {
	hash, err := auth.HashPassword("correct horse battery")
	if err != nil {
		b.Fatal(err)
	}
	u := auth.User{Email: "editor@khabar.test", Name: "محرر", Role: auth.RoleEditor, PasswordHash: hash}
	if err := a.Store.CreateUser(context.Background(), &u); err != nil {
		b.Fatal(err)
	}
	w := httptest.NewRecorder()
	login := httptest.NewRequest("POST", "/admin/login", strings.NewReader(url.Values{"email": {u.Email}, "password": {"correct horse battery"}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(w, login)
	cookies := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookies) == 0 {
		b.Fatalf("log in: %d, cookies %v", w.Code, cookies)
	}
	return cookies
}

// nopW discards the response, so only our own allocations are counted.
type nopW struct{ h http.Header }

func (d *nopW) Header() http.Header         { return d.h }
func (d *nopW) Write(p []byte) (int, error) { return len(p), nil }
func (d *nopW) WriteHeader(int)             {}

// benchApp is a node on SQLite with the demo content, not serving: the
// benchmarks call its handler.
func benchApp(b *testing.B, tweaks ...func(*config.Config)) *app.App {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = b.TempDir()
	cfg.Demo = true
	for _, tw := range tweaks {
		tw(&cfg)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}

// BenchmarkHandlerHit is an article cache hit through the whole middleware
// stack, without the network.
func BenchmarkHandlerHit(b *testing.B) { benchHit(b) }

// BenchmarkHandlerHitMetrics is the same with metrics on: what counting
// and timing each request costs.
func BenchmarkHandlerHitMetrics(b *testing.B) {
	benchHit(b, func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0" })
}

// BenchmarkHandlerHitCounting is the article cache hit as a phone's
// browser asks for it, a view counted or, with --analytics=false, not;
// the counter is flushed every second as a running node does (its writes
// share the machine with the benchmark).
func BenchmarkHandlerHitCounting(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run("analytics="+strconv.FormatBool(on), func(b *testing.B) {
			a := benchApp(b, func(c *config.Config) { c.Analytics = on })
			if on {
				ctx, stop := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() {
					defer close(done)
					for ctx.Err() == nil {
						a.Counter.Flush(ctx)
						select {
						case <-ctx.Done():
						case <-time.After(time.Second):
						}
					}
				}()
				b.Cleanup(func() { stop(); <-done })
			}
			benchHitOn(b, a.Handler(), phoneUA)
		})
	}
}

func benchHit(b *testing.B, tweaks ...func(*config.Config)) {
	benchHitOn(b, benchApp(b, tweaks...).Handler(), "")
}

// benchHitOn serves the longest demo article's cache hit to a browser
// sending ua ("": none) until b is done.
func benchHitOn(b *testing.B, h http.Handler, ua string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/news/21", nil))
	loc := w.Header().Get("Location")
	r := httptest.NewRequest("GET", loc, nil)
	r.Header.Set("Accept-Encoding", "gzip")
	if ua != "" {
		r.Header.Set("User-Agent", ua)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(&nopW{h: http.Header{}}, r)
	}
}

// BenchmarkEditorPage is the article form as an editor's browser asks for
// it, through the whole middleware stack without the network: the demo
// article with the most blocks, and a new article (issue 3: under 200 ms).
func BenchmarkEditorPage(b *testing.B) {
	a := benchApp(b)
	h := a.Handler()
	cookies := benchEditor(b, a, h)
	long := longestArticle(b, a.Store)
	for _, page := range []struct{ name, path string }{
		{fmt.Sprintf("article_%d_blocks", len(long.Body)), "/admin/articles/" + strconv.FormatInt(long.ID, 10)},
		{"new", "/admin/articles/new"},
	} {
		b.Run(page.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", page.path, nil)
			r.Header.Set("Accept-Encoding", "gzip")
			for _, c := range cookies {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Content-Type"), "text/html") {
				b.Fatalf("GET %s: %d %s", page.path, w.Code, w.Header().Get("Content-Type"))
			}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(&nopW{h: http.Header{}}, r)
			}
		})
	}
}

// longestArticle is the published demo article with the most blocks: the
// heaviest article form an editor opens.
func longestArticle(t testing.TB, s *store.Store) *news.Article {
	t.Helper()
	return apptest.BestArticle(t, s, "with blocks", func(a, best *news.Article) bool {
		return best == nil || len(a.Body) > len(best.Body)
	})
}
