package apptest

import (
	"context"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// BestArticle is the published article that better prefers over all the
// others (among the latest 50).
func BestArticle(t testing.TB, s *store.Store, what string, better func(a, best *news.Article) bool) *news.Article {
	t.Helper()
	ctx := context.Background()
	list, err := s.ListPublished(ctx, store.ListFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var best *news.Article
	for _, it := range list {
		a, err := s.GetArticle(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if better(a, best) {
			best = a
		}
	}
	if best == nil {
		t.Fatalf("no published article %s", what)
	}
	return best
}

// WaitFor polls cond until it holds, for up to thirty seconds (a loaded
// two-core machine running other packages beside).
func WaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	WaitWithin(t, 30*time.Second, what, cond)
}

// WaitWithin is waitFor with its own deadline.
func WaitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
