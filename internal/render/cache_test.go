package render

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

var body = []byte(strings.Repeat("<p>خبر عاجل من العاصمة</p>\n", 200))

func page(tags ...string) func() (*Page, error) {
	return func() (*Page, error) {
		return &Page{ContentType: "text/html; charset=utf-8", Body: body, Tags: tags, CacheControl: "public, max-age=30"}, nil
	}
}

func TestChooseEncoding(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", encIdentity},
		{"gzip", encGzip},
		{"gzip, deflate, br", encBrotli},
		{"br;q=0, gzip", encGzip},
		{"gzip;q=0", encIdentity},
		{"GZIP;Q=0.5", encGzip},
		{"identity", encIdentity},
		{"x-gzip", encGzip},
		{strings.Repeat("a,", 5000), encIdentity},
	}
	for _, c := range cases {
		if got := chooseEncoding([]string{c.in}); got != c.want {
			t.Errorf("chooseEncoding(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func get(p *Page, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/", nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	p.Serve(w, r)
	return w
}

func TestServeVariantsAndConditionalGET(t *testing.T) {
	c := NewCache(10)
	p, err := c.Fill("/", page("home"))
	if err != nil {
		t.Fatal(err)
	}
	plain := get(p, nil)
	if plain.Code != 200 || !bytes.Equal(plain.Body.Bytes(), body) || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("identity: %d %q", plain.Code, plain.Header())
	}
	if plain.Header().Get("Surrogate-Key") != "home" || plain.Header().Get("Cache-Control") != "public, max-age=30" {
		t.Errorf("headers: %v", plain.Header())
	}
	gz := get(p, map[string]string{"Accept-Encoding": "gzip"})
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, body) || gz.Header().Get("Content-Encoding") != "gzip" {
		t.Error("gzip variant does not round-trip")
	}
	br := get(p, map[string]string{"Accept-Encoding": "br"})
	if got, _ := io.ReadAll(brotli.NewReader(br.Body)); !bytes.Equal(got, body) {
		t.Error("brotli variant does not round-trip")
	}
	etags := map[string]bool{plain.Header().Get("ETag"): true, gz.Header().Get("ETag"): true, br.Header().Get("ETag"): true}
	if len(etags) != 3 {
		t.Errorf("each representation needs its own strong ETag: %v", etags)
	}
	for tag := range etags {
		if w := get(p, map[string]string{"If-None-Match": tag, "Accept-Encoding": "gzip"}); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: %d", tag, w.Code)
		}
	}
	if w := get(p, map[string]string{"If-None-Match": `"other", ` + plain.Header().Get("ETag")}); w.Code != http.StatusNotModified {
		t.Errorf("list If-None-Match: %d", w.Code)
	}
	if w := get(p, map[string]string{"If-None-Match": `"stale"`}); w.Code != 200 {
		t.Errorf("stale If-None-Match: %d", w.Code)
	}
}

func TestInvalidateByTag(t *testing.T) {
	c := NewCache(10)
	c.Fill("/news/1", page("article:1", "latest"))
	c.Fill("/section/politics", page("section:1", "latest"))
	c.Fill("/section/sport", page("section:2"))
	c.Invalidate("article:1")
	if c.Get("/news/1") != nil || c.Get("/section/politics") == nil {
		t.Error("article:1 should drop only the article page")
	}
	c.Invalidate("latest")
	if c.Get("/section/politics") != nil || c.Get("/section/sport") == nil {
		t.Error("latest should drop the politics page only")
	}
	c.Purge()
	if c.Len() != 0 {
		t.Errorf("purge left %d", c.Len())
	}
}

func TestRenderDuringInvalidationIsNotKept(t *testing.T) {
	c := NewCache(10)
	p, _ := c.Fill("/", func() (*Page, error) {
		c.Invalidate("home") // an event arrives while rendering
		return page("home")()
	})
	if p == nil || c.Get("/") != nil {
		t.Error("a render that raced an invalidation must be served but not cached")
	}
}

func TestConcurrentMissesRenderOnce(t *testing.T) {
	c := NewCache(10)
	var renders atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Fill("/", func() (*Page, error) {
				renders.Add(1)
				<-release
				return page()()
			})
		}()
	}
	time.Sleep(20 * time.Millisecond) // let the goroutines pile up on the miss
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("rendered %d times", n)
	}
}

func TestExpiryAndLimit(t *testing.T) {
	c := NewCache(2)
	clock := time.Now()
	c.now = func() time.Time { return clock }
	c.Fill("/a", func() (*Page, error) { p, _ := page()(); p.Expires = clock.Add(time.Minute); return p, nil })
	if c.Get("/a") == nil {
		t.Fatal("not cached")
	}
	clock = clock.Add(2 * time.Minute)
	if c.Get("/a") != nil {
		t.Error("expired page served")
	}
	for _, k := range []string{"/1", "/2", "/3"} {
		c.Fill(k, page())
	}
	if c.Len() != 2 {
		t.Errorf("limit 2, holding %d", c.Len())
	}
	off := NewCache(0)
	off.Fill("/", page())
	if off.Len() != 0 {
		t.Error("size 0 should disable caching")
	}
}

func TestErrorsAreNotCached(t *testing.T) {
	c := NewCache(10)
	c.Fill("/x", func() (*Page, error) { p, _ := page()(); p.Status = 404; return p, nil })
	if c.Get("/x") != nil {
		t.Error("404 cached")
	}
}

func BenchmarkCacheHit(b *testing.B) {
	c := NewCache(10)
	c.Fill("/", page("home"))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		c.Get("/").Serve(w, r)
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// TestCacheMetrics: a hit, a miss and an eviction are each counted once
// (Fill's second look under singleflight is not a second miss), and the
// bytes held follow what is kept, invalidated and purged.
func TestCacheMetrics(t *testing.T) {
	c := NewCache(2)
	c.Fill("a", page("x"))
	c.Fill("a", page("x"))
	c.Fill("b", page("y"))
	c.Fill("c", page("y")) // evicts a or b
	if h, m, e := c.hits.Load(), c.misses.Load(), c.evictions.Load(); h != 1 || m != 3 || e != 1 {
		t.Errorf("hits %d misses %d evictions %d, want 1 3 1", h, m, e)
	}
	held := func() int64 { c.mu.RLock(); defer c.mu.RUnlock(); return c.bytes }
	if got := held(); got != 2*int64(len(body)) {
		t.Errorf("bytes %d, want %d", got, 2*len(body))
	}
	c.Invalidate("y")
	if got, want := held(), int64(c.Len()*len(body)); got != want {
		t.Errorf("after invalidation: bytes %d, want %d", got, want)
	}
	c.Purge()
	if got := held(); got != 0 {
		t.Errorf("after purge: bytes %d", got)
	}
}

// TestCacheTags: with CacheTags (Cloudflare as the CDN) pages also carry
// their tags in Cache-Tag, comma-separated; without, they do not.
func TestCacheTags(t *testing.T) {
	for _, on := range []bool{false, true} {
		c := NewCache(10)
		c.CacheTags = on
		p, err := c.Fill("/", page("home", "article:7", "all"))
		if err != nil {
			t.Fatal(err)
		}
		h := get(p, nil).Header()
		want := map[bool]string{true: "home,article:7,all"}[on]
		if h.Get("Cache-Tag") != want || h.Get("Surrogate-Key") != "home article:7 all" {
			t.Errorf("CacheTags %v: Cache-Tag %q, Surrogate-Key %q; want %q", on, h.Get("Cache-Tag"), h.Get("Surrogate-Key"), want)
		}
	}
}
