package search_test

import (
	"context"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestLiveEntriesAreSearched: what a live blog's entries say finds the
// blog's article, the result names the entry that matched (to lead there)
// and shows its words marked; an entry added later is found once its event
// is handled, as the outbox consumer does.
func TestLiveEntriesAreSearched(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { testLiveEntriesAreSearched(t, b.Open) })
	}
}

func testLiveEntriesAreSearched(t *testing.T, open func(testing.TB) *store.Store) {
	ctx := context.Background()
	s, _ := setup(t, open)
	svc := search.New(s)
	live, err := s.ListPublished(ctx, store.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var a *news.Article
	for i := range live {
		if live[i].Live {
			a = &live[i]
		}
	}
	if a == nil {
		t.Fatal("the demo has no live blog")
	}
	e := &news.LiveEntry{ArticleID: a.ID, Body: []news.Block{{Type: news.BlockParagraph, Text: "وصل وفد الأرخبيل الجنوبي متأخراً بسبب عاصفة رملية."}}}
	if err := s.CreateLiveEntry(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := svc.HandleEvent(ctx, news.Event{Kind: news.EventLiveEntryChanged, ArticleID: a.ID}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Search(ctx, search.Parse("الأرخبيل الجنوبي"), search.Options{Statuses: []news.Status{news.StatusPublished}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].Article.ID != a.ID {
		t.Fatalf("an entry's words find %d articles, want the live one (%d)", len(res.Hits), a.ID)
	}
	h := res.Hits[0]
	if h.Entry == nil || h.Entry.ID != e.ID || h.Entry.Newer != 0 {
		t.Errorf("the result names entry %+v, want %d, the newest", h.Entry, e.ID)
	}
	if !strings.Contains(string(h.Snippet), "<mark>الأرخبيل</mark>") {
		t.Errorf("the snippet does not show the entry's words: %s", h.Snippet)
	}
}
