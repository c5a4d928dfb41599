package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

func entry(articleID int64, title, text string) *news.LiveEntry {
	return &news.LiveEntry{ArticleID: articleID, Title: title, Body: []news.Block{{Type: news.BlockParagraph, Text: text}}}
}

// lastEvents returns the events written since the event id after.
func lastEvents(t *testing.T, s *store.Store, after int64) []news.Event {
	t.Helper()
	evs, err := s.EventsAfter(context.Background(), after, 100)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func testLiveBlog(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("تغطية مباشرة للانتخابات")
	publish(t, s, a, time.Now().Add(-2*time.Hour))
	if err := s.CreateLiveEntry(ctx, entry(a.ID, "", "نص")); !errors.Is(err, news.ErrNotLive) {
		t.Fatalf("entry on an article that is not live: %v", err)
	}
	if _, err := s.LiveBlog(ctx, a.ID); !errors.Is(err, news.ErrNotLive) {
		t.Fatalf("coverage of an article that is not live: %v", err)
	}
	if err := s.CreateLiveEntry(ctx, entry(999999, "", "نص")); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("entry on a missing article: %v", err)
	}

	before, _ := s.LastEventID(ctx)
	if err := s.SetLiveCoverage(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetArticle(ctx, a.ID)
	if !got.Live || got.Version != a.Version+1 {
		t.Fatalf("opening coverage: live %v, version %d (was %d)", got.Live, got.Version, a.Version)
	}
	blog, err := s.LiveBlog(ctx, a.ID)
	if err != nil || blog.Ended() || time.Since(blog.Start) > time.Minute {
		t.Fatalf("coverage: %+v %v", blog, err)
	}
	if evs := lastEvents(t, s, before); len(evs) != 1 || evs[0].Kind != news.EventLiveCoverageChanged || evs[0].ArticleID != a.ID {
		t.Fatalf("opening coverage wrote %+v", evs)
	}
	// Opening what is open changes nothing.
	before, _ = s.LastEventID(ctx)
	if err := s.SetLiveCoverage(ctx, a.ID, true); err != nil || len(lastEvents(t, s, before)) != 0 {
		t.Fatalf("opening twice: %v", err)
	}

	// Entries: one backdated, two posted now, one of them a key event.
	old := entry(a.ID, "  بدء   التصويت ", `فتحت <strong>مراكز</strong> الاقتراع <script>alert(1)</script>`)
	old.CreatedAt = time.Now().Add(-time.Hour)
	old.AuthorID = f.Authors[1].ID
	poster, _ := Staff(t, s, auth.RoleWriter)
	old.CreatedBy = poster.ID
	key := entry(a.ID, "", "النتائج الأولية تظهر تقدّمًا واضحًا")
	key.Key = true
	latest := entry(a.ID, "إغلاق الصناديق", "أغلقت مراكز الاقتراع أبوابها")
	before, _ = s.LastEventID(ctx)
	for _, e := range []*news.LiveEntry{old, key, latest} {
		if err := s.CreateLiveEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	evs := lastEvents(t, s, before)
	if len(evs) != 3 {
		t.Fatalf("three entries wrote %d events", len(evs))
	}
	for i, e := range []*news.LiveEntry{old, key, latest} {
		if evs[i].Kind != news.EventLiveEntryChanged || evs[i].Entry != e.ID || evs[i].ArticleID != a.ID {
			t.Errorf("event %d: %+v", i, evs[i])
		}
	}
	stored, err := s.LiveEntry(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Title != "بدء التصويت" || strings.Contains(stored.Body[0].Text, "script") || !strings.Contains(stored.Body[0].Text, "<strong>مراكز</strong>") {
		t.Errorf("entry not cleaned: %q %q", stored.Title, stored.Body[0].Text)
	}
	if stored.Author == nil || stored.Author.Name != f.Authors[1].Name || !stored.CreatedAt.Equal(old.CreatedAt) || stored.CreatedBy != poster.ID {
		t.Errorf("author %+v, poster %d want %d, time %v want %v", stored.Author, stored.CreatedBy, poster.ID, stored.CreatedAt, old.CreatedAt)
	}
	if k, _ := s.LiveEntry(ctx, key.ID); k.CreatedBy != 0 {
		t.Errorf("an entry nobody posted has poster %d", k.CreatedBy)
	}
	got, _ = s.GetArticle(ctx, a.ID)
	if got.UpdatedAt.Before(latest.CreatedAt) {
		t.Errorf("article updated %v, before its latest entry %v", got.UpdatedAt, latest.CreatedAt)
	}

	page, total, err := s.LiveEntries(ctx, a.ID, 2, 0)
	if err != nil || total != 3 || len(page) != 2 || page[0].ID != latest.ID || page[1].ID != key.ID {
		t.Fatalf("first page: %d of %d, %v", len(page), total, err)
	}
	page, _, _ = s.LiveEntries(ctx, a.ID, 2, 2)
	if len(page) != 1 || page[0].ID != old.ID {
		t.Fatalf("second page: %+v", page)
	}
	keys, err := s.KeyLiveEntries(ctx, a.ID, 10)
	if err != nil || len(keys) != 1 || keys[0].ID != key.ID || keys[0].Newer != 1 {
		t.Fatalf("key events: %+v %v", keys, err)
	}

	// Editing: stale versions and forged articles are refused.
	other := f.Article("خبر آخر")
	publish(t, s, other, time.Now())
	edit := *stored
	edit.Key = true
	edit.Title = "بدء التصويت رسميًا"
	forged := edit
	forged.ArticleID = other.ID
	if err := s.UpdateLiveEntry(ctx, &forged); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("edit through another article: %v", err)
	}
	if err := s.DeleteLiveEntry(ctx, other.ID, old.ID); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("delete through another article: %v", err)
	}
	// An editor's correction leaves the entry its poster's.
	edit.CreatedBy = 0
	if err := s.UpdateLiveEntry(ctx, &edit); err != nil || edit.Version != 2 {
		t.Fatalf("edit: %v, version %d", err, edit.Version)
	}
	if got, _ := s.LiveEntry(ctx, old.ID); got.CreatedBy != poster.ID {
		t.Errorf("after a correction the entry's poster is %d, want %d", got.CreatedBy, poster.ID)
	}
	stale := *stored
	if err := s.UpdateLiveEntry(ctx, &stale); !errors.Is(err, news.ErrConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	if keys, _ := s.KeyLiveEntries(ctx, a.ID, 10); len(keys) != 2 || keys[1].ID != old.ID || keys[1].Newer != 2 {
		t.Fatalf("key events after the edit: %+v", keys)
	}

	for name, e := range map[string]*news.LiveEntry{
		"empty":          {ArticleID: a.ID},
		"unknown block":  {ArticleID: a.ID, Body: []news.Block{{Type: "marquee", Text: "x"}}},
		"empty block":    {ArticleID: a.ID, Body: []news.Block{{Type: news.BlockParagraph, Text: "<script></script>"}}},
		"title too long": {ArticleID: a.ID, Title: strings.Repeat("ع", news.MaxEntryTitle+1)},
		"too long":       entry(a.ID, "", strings.Repeat("كلمة ", news.MaxEntryText/5+1)),
		"too many":       {ArticleID: a.ID, Body: make([]news.Block, news.MaxEntryBlocks+1)},
		"missing image":  {ArticleID: a.ID, Body: []news.Block{{Type: news.BlockImage, MediaID: 987654}}},
		"unknown author": {ArticleID: a.ID, Title: "x", AuthorID: 987654},
	} {
		if err := s.CreateLiveEntry(ctx, e); !news.IsInvalid(err) {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Closing: no new entries, corrections still possible; reopening
	// keeps the start.
	before, _ = s.LastEventID(ctx)
	if err := s.SetLiveCoverage(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	closed, _ := s.LiveBlog(ctx, a.ID)
	if !closed.Ended() || !closed.Start.Equal(blog.Start) {
		t.Fatalf("closed coverage: %+v (opened %+v)", closed, blog)
	}
	if err := s.CreateLiveEntry(ctx, entry(a.ID, "متأخر", "نص")); !errors.Is(err, news.ErrCoverageEnded) {
		t.Fatalf("entry after closing: %v", err)
	}
	if err := s.UpdateLiveEntry(ctx, &edit); err != nil {
		t.Fatalf("correction after closing: %v", err)
	}
	if err := s.DeleteLiveEntry(ctx, a.ID, key.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LiveEntry(ctx, key.ID); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("deleted entry: %v", err)
	}
	evs = lastEvents(t, s, before)
	if len(evs) != 3 || evs[0].Kind != news.EventLiveCoverageChanged || evs[2].Kind != news.EventLiveEntryChanged || evs[2].Entry != key.ID {
		t.Fatalf("close, edit, delete wrote %+v", evs)
	}
	if err := s.SetLiveCoverage(ctx, other.ID, false); !errors.Is(err, news.ErrNotLive) {
		t.Fatalf("closing an article that is not live: %v", err)
	}
	if err := s.SetLiveCoverage(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	if reopened, _ := s.LiveBlog(ctx, a.ID); reopened.Ended() || !reopened.Start.Equal(blog.Start) {
		t.Fatalf("reopened: %+v", reopened)
	}
	// Audit: every change is logged with its entry.
	log, err := s.AuditLog(ctx, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, l := range log {
		actions[l.Action]++
	}
	if actions["liveblog.add"] != 3 || actions["liveblog.edit"] != 2 || actions["liveblog.delete"] != 1 || actions["liveblog.open"] != 2 || actions["liveblog.close"] != 1 {
		t.Errorf("audit log: %v", actions)
	}
}
