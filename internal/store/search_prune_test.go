package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestPrunedPartialMatches: a reader's partial match that skips the
// articles unable to reach the page gives the page, scores and total that
// scoring every candidate gives, and does skip, over articles whose words
// are as unevenly common as a language's (Zipf). Drafts are in the index
// and never in a reader's results.
func TestPrunedPartialMatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.SQLite(t)
	f := storetest.Seed(t, s)
	rng := rand.New(rand.NewPCG(15, 7))
	zipf := rand.NewZipf(rng, 1.1, 2, 400)
	word := func() string { return fmt.Sprintf("w%d", zipf.Uint64()) }
	words := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = word()
		}
		return out
	}
	published := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	drafts := map[int64]bool{}
	var docs []store.SearchDoc
	for i := range 700 {
		a := f.Article(fmt.Sprintf("خبر %d", i))
		a.Status, a.PublishedAt = news.StatusPublished, published
		draft := i%10 == 0
		if draft {
			a.Status, a.PublishedAt = news.StatusDraft, time.Time{}
		}
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		d := store.SearchDoc{ArticleID: a.ID, Headline: words(2 + rng.IntN(6)), Lead: words(rng.IntN(15)), Body: words(10 + rng.IntN(120)), Meta: words(rng.IntN(3))}
		if draft {
			drafts[a.ID] = true
		} else {
			d.Published = published
		}
		docs = append(docs, d)
	}
	if err := s.IndexArticles(ctx, docs); err != nil {
		t.Fatal(err)
	}
	pub := []news.Status{news.StatusPublished}
	pruned, tried := 0, 0
	for i := range 120 {
		// Each word once, as the query parser gives them.
		var phrases [][]string
		seen := map[string]bool{}
		for range 2 + rng.IntN(9) {
			if w := word(); !seen[w] {
				seen[w] = true
				phrases = append(phrases, []string{w})
			}
		}
		if i%7 == 0 {
			phrases = append(phrases, []string{"غايب"}) // in no article
		}
		for _, page := range []struct{ limit, offset int }{{10, 0}, {10, 10}, {3, 0}, {100, 100}} {
			q := store.SearchQuery{Phrases: phrases, Statuses: pub, Partial: true, Limit: page.limit, Offset: page.offset}
			got, gotTotal, ok, err := s.SearchPruned(ctx, q)
			if err != nil {
				t.Fatalf("%v: %v", phrases, err)
			}
			tried++
			if !ok {
				continue
			}
			pruned++
			want, wantTotal, err := s.SearchEvery(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if gotTotal != wantTotal || len(got) != len(want) {
				t.Fatalf("%v %+v: %d hits of %d, scoring every candidate %d of %d", phrases, page, len(got), gotTotal, len(want), wantTotal)
			}
			// Scores agree to rounding (BM25 over every term is a difference
			// here); articles tied to rounding may come in either order.
			for j := range got {
				if math.Abs(got[j].Score-want[j].Score) > 1e-9*math.Abs(want[j].Score) {
					t.Fatalf("%v %+v: hit %d is %d (%g), scoring every candidate %d (%g)", phrases, page, j, got[j].ArticleID, got[j].Score, want[j].ArticleID, want[j].Score)
				}
				if drafts[got[j].ArticleID] {
					t.Fatalf("%v: draft %d found", phrases, got[j].ArticleID)
				}
			}
		}
	}
	// One word articles hold and one no article holds: every candidate
	// holds the first, there is nothing to skip, and no error.
	q := store.SearchQuery{Phrases: [][]string{{word()}, {"غايب"}}, Statuses: pub, Partial: true, Limit: 10}
	if hits, _, ok, err := s.SearchPruned(ctx, q); err != nil || ok || hits != nil {
		t.Errorf("one held term: %v hits, pruned %v, %v", len(hits), ok, err)
	}
	// Most questions leave articles to skip; not all (a question of only
	// common words has nothing to skip).
	if pruned < tried/2 {
		t.Errorf("pruned %d of %d searches", pruned, tried)
	}
	t.Logf("pruned %d of %d searches", pruned, tried)
}
