package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// testConcurrentIndexing: search consumers on several nodes index the same
// article at once. Each call replaces the article's entry without an error
// (PostgreSQL's delete-then-insert once collided on search_docs_pkey),
// and the index ends with one entry for it, its typeahead rows too.
func testConcurrentIndexing(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("فهرسة متزامنة")
	other := f.Article("خبر آخر")
	at := time.Date(2025, time.March, 1, 9, 0, 0, 0, time.UTC)
	for _, x := range []*news.Article{a, other} {
		x.Status, x.PublishedAt = news.StatusPublished, at
		if err := s.CreateArticle(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	const workers, rounds = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				// Batches overlap in both orders, as a rebuild beside a
				// consumer would.
				docs := []store.SearchDoc{
					{ArticleID: a.ID, Headline: []string{"متزامن", fmt.Sprint("نسخه", w, r)},
						Prefixes: []string{"مت", "متز", fmt.Sprint("نس", w, r)}, Published: at},
					{ArticleID: other.ID, Headline: []string{"متزامن"}, Prefixes: []string{"مت", "متز"}, Published: at},
				}
				if w%2 == 1 {
					docs[0], docs[1] = docs[1], docs[0]
				}
				if err := s.IndexArticles(ctx, docs); err != nil {
					errs <- fmt.Errorf("worker %d, round %d: %w", w, r, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	hits, total, err := s.Search(ctx, store.SearchQuery{Phrases: [][]string{{"متزامن"}}})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(hits) != 2 {
		t.Errorf("search after concurrent indexing: %d hits (total %d), want the two articles once each", len(hits), total)
	}
	if got, err := s.TypeaheadArticles(ctx, []string{"متز"}, 10); err != nil || len(got) != 2 {
		t.Errorf("typeahead after concurrent indexing: %d articles (%v), want the two once each", len(got), err)
	}
}
