package site

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/storetest"
)

// BenchmarkSitemaps100k builds the sitemap index and every monthly article
// sitemap for 100,000 published articles from the database, uncached: the
// issue's "a sitemap of 100,000 articles generated in < 2 s". Setup takes
// a while (the articles are created through the store).
func BenchmarkSitemaps100k(b *testing.B) {
	f := newFixture(b, storetest.SQLite(b))
	ctx := context.Background()
	secs, _ := f.store.ListSections(ctx)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 100000; i++ {
		a := &news.Article{Headline: "خبر رقم " + strconv.Itoa(i), SectionID: secs[i%len(secs)].ID, Status: news.StatusPublished,
			PublishedAt: start.Add(time.Duration(i) * 20 * time.Minute)}
		if err := f.store.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		f.s.cache.Purge()
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, httptest.NewRequest("GET", "/sitemap.xml", nil))
		urls := 0
		for _, line := range strings.Split(w.Body.String(), "<loc>")[1:] {
			loc := strings.TrimPrefix(line[:strings.Index(line, "</loc>")], "http://khabar.test")
			r := httptest.NewRecorder()
			f.h.ServeHTTP(r, httptest.NewRequest("GET", loc, nil))
			if strings.Contains(loc, "articles-") {
				urls += strings.Count(r.Body.String(), "<url>")
			}
		}
		if urls < 100000 {
			b.Fatalf("sitemaps list %d articles", urls)
		}
	}
}
