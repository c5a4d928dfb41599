package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

// BenchmarkListArticles times GET /api/v1/articles?limit=100 through the
// handler over KHABAR_BENCH_ARTICLES published articles (default 20,000:
// the corpus's, again and again, a paragraph block per line of their
// text, three tags each of 500, over four sections), against issue 19's
// "p95 < 20 ms at 20,000 articles". The requests are a walk of the first
// 20 pages by cursor, the first pages (up to 3) of a section, a tag and an author,
// and an updated_since sync walk of 20 pages; p50, p95 and the slowest are
// reported. Setup takes minutes.
//
//	go test -run x -bench ListArticles -benchtime 3x -timeout 60m ./internal/api/
func BenchmarkListArticles(b *testing.B) {
	var docs []storetest.CorpusDoc
	for _, d := range storetest.Corpus(b) {
		if d.Body != "" {
			docs = append(docs, d)
		}
	}
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("KHABAR_BENCH_ARTICLES")); err == nil && v > 0 {
		n = v
	}
	for _, be := range storetest.Backends {
		b.Run(fmt.Sprintf("%s/%d", be.Name, n), func(b *testing.B) {
			ctx := context.Background()
			s := be.Open(b)
			fx := storetest.Seed(b, s)
			for i := range 2 {
				sec := news.Section{Name: "قسم " + strconv.Itoa(i), Slug: "s" + strconv.Itoa(i), Position: 2 + i}
				if err := s.CreateSection(ctx, &sec); err != nil {
					b.Fatal(err)
				}
				fx.Sections = append(fx.Sections, sec)
			}
			start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			setup := time.Now()
			for i := range n {
				d := docs[i%len(docs)]
				a := &news.Article{Headline: d.Title + " " + strconv.Itoa(i), Lead: d.Title, SectionID: fx.Sections[i%len(fx.Sections)].ID,
					Authors: []news.Author{fx.Authors[i%2]}, Status: news.StatusPublished, PublishedAt: start.Add(time.Duration(i) * 10 * time.Minute)}
				for _, line := range strings.Split(d.Body, "\n") {
					if line = strings.TrimSpace(line); line != "" && len(a.Body) < news.MaxBlocks {
						a.Body = append(a.Body, news.Block{Type: news.BlockParagraph, Text: line})
					}
				}
				for j := range 3 {
					a.Tags = append(a.Tags, news.Tag{Name: "وسم " + strconv.Itoa((i*7+j*131)%500)})
				}
				if err := s.CreateArticle(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("%d articles created in %s", n, time.Since(setup).Round(time.Second))
			// A live database has statistics; fresh rows have none yet.
			if _, err := s.DB().ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			mux := http.NewServeMux()
			New(Options{Store: s, Auth: auth.NewService(s, log), Base: "http://khabar.test", Log: log}).Routes(mux)
			get := func(q string) (string, time.Duration) {
				t0 := time.Now()
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/articles?"+q, nil))
				took := time.Since(t0)
				var p struct {
					Articles   []json.RawMessage
					NextCursor string `json:"next_cursor"`
				}
				if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &p) != nil || len(p.Articles) == 0 {
					b.Fatalf("?%s: %d, %d articles: %.300s", q, w.Code, len(p.Articles), w.Body.String())
				}
				return p.NextCursor, took
			}
			var took []time.Duration
			byKind := map[string][]time.Duration{}
			walk := func(query string, pages int) {
				q := query
				for range pages {
					next, d := get(q)
					took = append(took, d)
					byKind[query] = append(byKind[query], d)
					if next == "" {
						return
					}
					q = query + "&cursor=" + url.QueryEscape(next)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				walk("limit=100", 20)
				walk("limit=100&updated_since=2000-01-01T00:00:00Z", 20)
				for _, f := range []string{"section=s0", "tag=" + url.QueryEscape(news.Slugify("وسم 7")), "author=" + strconv.FormatInt(fx.Authors[1].ID, 10)} {
					walk("limit=100&"+f, 3)
				}
			}
			b.StopTimer()
			for kind, took := range byKind {
				b.Logf("?%s: p50 %.1f ms, p95 %.1f ms", kind, storetest.Percentile(took, 0.5), storetest.Percentile(took, 0.95))
			}
			storetest.ReportLatency(b, took)
		})
	}
}
