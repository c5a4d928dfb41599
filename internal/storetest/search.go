package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"khabar/internal/store"
)

// testConcurrentIndexing: search consumers on several nodes index the same
// article at once. Each call replaces the article's entry without an error
// (PostgreSQL's delete-then-insert once collided on search_docs_pkey),
// and the index ends with one entry for it.
func testConcurrentIndexing(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("فهرسة متزامنة")
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	other := f.Article("خبر آخر")
	if err := s.CreateArticle(ctx, other); err != nil {
		t.Fatal(err)
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
					{ArticleID: a.ID, Headline: []string{"متزامن", fmt.Sprint("نسخه", w, r)}},
					{ArticleID: other.ID, Headline: []string{"متزامن"}},
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
}
