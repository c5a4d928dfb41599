package app_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/config"
	"khabar/internal/news"
)

// TestYouTubeThumbnailsServedByUs: an in-process stand-in for YouTube's
// image host serves one JPEG; the facade shows it from our own origin.
func TestYouTubeThumbnailsServedByUs(t *testing.T) {
	t.Parallel()
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{1}, 100)...)
	var fetches atomic.Int32
	yt := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		switch r.URL.Path {
		case "/vi/abcdefghijk/hqdefault.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(jpeg)
		case "/vi/htmlinstead/hqdefault.jpg":
			w.Write([]byte("<html>not an image</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer yt.Close()

	// The fetch is a job: the node runs, with its queue.
	a := apptest.StartNode(t, "", func(cfg *config.Config) { cfg.YouTubeThumbs, cfg.OutboundAllowPrivate = yt.URL, true })
	ctx := context.Background()
	h := a.Handler()
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}
	secs, _ := a.Store.ListSections(ctx)
	art := &news.Article{Headline: "فيديو", SectionID: secs[0].ID, Status: news.StatusPublished, Body: []news.Block{
		{Type: news.BlockEmbed, URL: "https://www.youtube.com/watch?v=abcdefghijk"},
		{Type: news.BlockEmbed, URL: "https://youtu.be/htmlinstead"}}}
	if err := a.Store.CreateArticle(ctx, art); err != nil {
		t.Fatal(err)
	}
	page := get("/news/" + apptest.Itoa(art.ID) + "/" + art.Slug).Body.String()
	if !strings.Contains(page, `<img src="/media/youtube/abcdefghijk.jpg"`) {
		t.Fatal("facade has no thumbnail from our origin")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		w := get("/media/youtube/abcdefghijk.jpg")
		if w.Code == 200 {
			if !bytes.Equal(w.Body.Bytes(), jpeg) || w.Header().Get("Content-Type") != "image/jpeg" {
				t.Error("thumbnail bytes or type differ")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("thumbnail never appeared")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The second embed's job fetches too, and is refused: wait for it, so
	// what follows counts only what readers cause.
	for fetches.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d fetches; the second embed's job never ran", fetches.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := fetches.Load()
	for _, p := range []string{"/media/youtube/htmlinstead.jpg", "/media/youtube/zzzzzzzzzzz.jpg", "/media/youtube/../khabar.db", "/media/youtube/a%2Fb.jpg"} {
		if w := get(p); w.Code == 200 {
			t.Errorf("%s served", p)
		}
	}
	if fetches.Load() != before {
		t.Error("a reader's request made us fetch from YouTube")
	}
}
