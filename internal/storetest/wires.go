package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/wire"
)

// wireItem is an Arabic agency item, version v of guid.
func wireItem(guid string, v int64, headline string) wire.Item {
	return wire.Item{Format: wire.FormatNinjs, GUID: guid, Version: v, Provider: "وكالة المثال", Headline: headline,
		BodyHTML: "<p>قال الرئيس <strong>الأسد</strong> في خطاب</p>", Status: wire.Usable, Language: "ar",
		Subjects: []wire.Subject{{Code: "medtop:11000000", Name: "سياسة"}}, Signals: []string{"sig:update"},
		Embargoed: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
}

// testWires: the desk keeps each version once, lists the newest of each
// guid newest first, finds items by their words as article search does,
// and flags the articles made from an item when a later version or a kill
// arrives, out of order or not.
func testWires(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	add := func(it wire.Item, source string) (int64, bool) {
		t.Helper()
		id, added, err := s.AddWire(ctx, it, source)
		if err != nil {
			t.Fatal(err)
		}
		return id, added
	}
	v1 := wireItem("urn:wire:1", 1, "الأسد يلقي خطابا أمام البرلمان")
	id1, added := add(v1, "folder")
	if !added {
		t.Fatal("a new item not added")
	}
	if again, added := add(v1, "push:agency"); added || again != id1 {
		t.Fatalf("the same item again: added %v, id %d (first %d)", added, again, id1)
	}
	got, err := s.Wire(ctx, id1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Headline != v1.Headline || got.Source != "folder" || !got.Latest || !got.Embargoed.Equal(v1.Embargoed) ||
		!slices.Equal(got.Subjects, v1.Subjects) || !slices.Equal(got.Signals, v1.Signals) || got.BodyHTML != v1.BodyHTML {
		t.Fatalf("stored %+v", got)
	}
	other := wireItem("urn:wire:2", 1, "ارتفاع أسعار الخبز في الأسواق")
	other.Provider, other.BodyHTML = "وكالة أخرى", "<p>ارتفعت أسعار الخبز مجددا</p>"
	id2, _ := add(other, "folder")

	ids := func(fl store.WireFilter) []int64 {
		t.Helper()
		list, err := s.Wires(ctx, fl)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, w := range list {
			out = append(out, w.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    store.WireFilter
		want []int64
	}{
		{"all, newest first", store.WireFilter{}, []int64{id2, id1}},
		{"agency", store.WireFilter{Provider: "وكالة أخرى"}, []int64{id2}},
		{"without the hamza", store.WireFilter{Query: "الاسد"}, []int64{id1}},
		{"a word of the body", store.WireFilter{Query: "خطاب الرئيس"}, []int64{id1}},
		{"every word must be there", store.WireFilter{Query: "الأسد الخبز"}, nil},
		{"stop words alone", store.WireFilter{Query: "في من"}, nil},
		{"one a page, then the next", store.WireFilter{Limit: 1}, []int64{id2}},
	} {
		if got := ids(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	list, _ := s.Wires(ctx, store.WireFilter{Limit: 1})
	if got := ids(store.WireFilter{Before: list[0].ReceivedAt, BeforeID: list[0].ID}); !slices.Equal(got, []int64{id1}) {
		t.Errorf("after the first page: %v", got)
	}

	// An editor makes a draft of version 1.
	a := f.Article(v1.Headline)
	if err := s.CreateArticleFromWire(ctx, a, got); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ArticleWireNotice(ctx, a.ID); err != nil || n != nil {
		t.Fatalf("a fresh draft has a notice: %v %v", n, err)
	}
	if made, err := s.WireArticles(ctx, v1.GUID); err != nil || !slices.Equal(made, []int64{a.ID}) {
		t.Fatalf("articles of the wire: %v %v", made, err)
	}
	notice := func(want int64) {
		t.Helper()
		n, err := s.ArticleWireNotice(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case want == 0 && n != nil:
			t.Fatalf("notice of version %d, want none", n.Item.Version)
		case want != 0 && (n == nil || n.Item.Version != want || n.Made != 1):
			t.Fatalf("notice %+v, want version %d of the item made from version 1", n, want)
		}
	}
	// Version 3 arrives before version 2.
	v3 := wireItem(v1.GUID, 3, v1.Headline)
	v3.Status, v3.EdNote = wire.Canceled, "إلغاء: لا تنشروا"
	id3, _ := add(v3, "folder")
	notice(3)
	v2 := wireItem(v1.GUID, 2, "الأسد يلقي خطابا مطولا")
	add(v2, "folder")
	notice(3)
	if got := ids(store.WireFilter{Query: "البرلمان"}); !slices.Equal(got, []int64{id3}) {
		t.Errorf("the newest version stands for its guid in the list: %v, want %d", got, id3)
	}
	versions, err := s.WireVersions(ctx, v1.GUID)
	if err != nil || len(versions) != 3 || versions[0].ID != id3 || versions[2].ID != id1 {
		t.Fatalf("versions %v %v", versions, err)
	}
	if err := s.SeeWireNotice(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	notice(0)
	v4 := wireItem(v1.GUID, 4, "الأسد يعود عن قراره")
	add(v4, "folder")
	notice(4)

	// Two nodes take the same push at the same moment: one row.
	same := wireItem("urn:wire:race", 1, "خبر متزامن")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var raced []int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, _, err := s.AddWire(ctx, same, "push:a")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			raced = append(raced, id)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if slices.Sort(raced); len(slices.Compact(raced)) != 1 {
		t.Errorf("one item pushed four times at once: ids %v", raced)
	}

	// A wire.arrived event for the desk, and no page of the site touched.
	evs, err := s.EventsAfter(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	arrived := 0
	for _, ev := range evs {
		if ev.Kind == news.EventWireArrived && ev.Wire != 0 {
			arrived++
		}
	}
	if arrived != 6 {
		t.Errorf("%d wire.arrived events, want one per new item (6)", arrived)
	}
	if ps, err := s.WireProviders(ctx); err != nil || !slices.Equal(ps, []string{"وكالة أخرى", "وكالة المثال"}) {
		t.Errorf("providers %v %v", ps, err)
	}

	// The desk's retention: everything received before the cutoff goes,
	// with its search terms, but the story an article was made from stays
	// whole.
	n, err := s.DeleteOldWires(ctx, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d old items deleted, want 2 (the other story and the race's)", n)
	}
	if vs, _ := s.WireVersions(ctx, v1.GUID); len(vs) != 4 {
		t.Errorf("the story an article was made from kept %d versions, want 4", len(vs))
	}
	if got := ids(store.WireFilter{Query: "الخبز"}); got != nil {
		t.Errorf("a deleted item is still found: %v", got)
	}
	if _, err := s.Wire(ctx, id2); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a deleted item is still read: %v", err)
	}
}
