package search_test

import (
	"context"
	"testing"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/storetest"
)

// BenchmarkSuggest is what «هل تقصد» adds to a search that finds no
// article holding every word: the edits of one misspelt word looked up
// in the index's vocabulary, and the best one found in an article.
//
//	go test -run x -bench Suggest ./internal/search/
func BenchmarkSuggest(b *testing.B) {
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			s, _ := setup(b, be.Open)
			svc := search.New(s)
			q := search.Parse("مسول الطوارئ")
			published := []news.Status{news.StatusPublished}
			for b.Loop() {
				if got, err := svc.Suggest(context.Background(), q, published); err != nil || got == "" {
					b.Fatalf("Suggest: %q %v", got, err)
				}
			}
		})
	}
}
