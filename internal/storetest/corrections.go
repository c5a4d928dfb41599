package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// correctionState is everything corrections change, printed: a refused
// change must leave it as it was.
func correctionState(t *testing.T, s *store.Store, ids ...int64) string {
	t.Helper()
	ctx := context.Background()
	state := ""
	for _, id := range ids {
		list, err := s.ArticleCorrections(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.GetArticle(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		state += fmt.Sprintf("%d %s %v %+v\n", id, a.UpdatedAt, a.Version, list)
	}
	last, err := s.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return state + fmt.Sprint("events ", last)
}

func testCorrections(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	editor := news.Actor{Name: "محررة الاختبار"}
	long := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Microsecond)
	a := f.Article("خبر صُحّح")
	a.UpdatedAt = long
	publish(t, s, a, long)
	other := f.Article("خبر آخر")
	publish(t, s, other, long)
	draft := f.Article("مسودة")
	if err := s.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}

	before, _ := s.LastEventID(ctx)
	fix := &news.Correction{ArticleID: a.ID, Kind: news.Erratum, Text: " ورد خطأً أن\u202e الاجتماع الثلاثاء؛ الصحيح الأربعاء. ", Actor: editor}
	if err := s.AddCorrection(ctx, fix); err != nil {
		t.Fatal(err)
	}
	if fix.ID == 0 || fix.Text != "ورد خطأً أن الاجتماع الثلاثاء؛ الصحيح الأربعاء." || time.Since(fix.CreatedAt) > time.Minute {
		t.Fatalf("added %+v", fix)
	}
	got, _ := s.GetArticle(ctx, a.ID)
	if !got.UpdatedAt.Equal(fix.CreatedAt) || got.Version != a.Version || !got.PublishedAt.Equal(long) {
		t.Errorf("after a correction: updated %s (want %s), version %d (was %d), published %s", got.UpdatedAt, fix.CreatedAt, got.Version, a.Version, got.PublishedAt)
	}
	if evs := lastEvents(t, s, before); len(evs) != 1 || evs[0].Kind != news.EventCorrectionChanged || evs[0].ArticleID != a.ID ||
		len(evs[0].Sections) != 1 || evs[0].Sections[0] != a.SectionID {
		t.Errorf("adding a correction wrote %+v", evs)
	}
	log, err := s.AuditLog(ctx, 1, 0)
	if err != nil || len(log) != 1 || log[0].Action != "correction.add" || log[0].Target != fmt.Sprint("article ", a.ID) ||
		log[0].Detail != fix.Text || log[0].Name != editor.Name {
		t.Errorf("audit log: %+v %v", log, err)
	}
	note := &news.Correction{ArticleID: a.ID, Kind: news.EditorsNote, Text: "حُدّث الخبر بعد بيان الوزارة.", Actor: editor}
	if err := s.AddCorrection(ctx, note); err != nil {
		t.Fatal(err)
	}
	list, err := s.ArticleCorrections(ctx, a.ID)
	if err != nil || len(list) != 2 || list[0].ID != fix.ID || list[1].ID != note.ID || list[1].Kind != news.EditorsNote ||
		list[0].Text != fix.Text || list[0].Actor.Name != editor.Name || !list[0].CreatedAt.Equal(fix.CreatedAt) {
		t.Fatalf("the article's corrections, oldest first: %+v %v", list, err)
	}

	// Refusals change nothing: no row, no time, no event.
	state := correctionState(t, s, a.ID, draft.ID)
	for _, c := range []struct {
		name  string
		c     news.Correction
		field string // "" for ErrNotFound
	}{
		{"draft", news.Correction{ArticleID: draft.ID, Kind: news.Erratum, Text: "تصحيح"}, "article"},
		{"empty", news.Correction{ArticleID: a.ID, Kind: news.Erratum, Text: " \u200b "}, "text"},
		{"unknown kind", news.Correction{ArticleID: a.ID, Kind: "retraction", Text: "تصحيح"}, "kind"},
		{"too long", news.Correction{ArticleID: a.ID, Kind: news.Erratum, Text: strings.Repeat("ب", news.MaxCorrectionText+1)}, "text"},
		{"missing article", news.Correction{ArticleID: 1 << 62, Kind: news.Erratum, Text: "تصحيح"}, ""},
	} {
		err := s.AddCorrection(ctx, &c.c)
		var ie *news.InvalidError
		switch {
		case c.field == "" && !errors.Is(err, news.ErrNotFound):
			t.Errorf("%s: %v, want not found", c.name, err)
		case c.field != "" && (!errors.As(err, &ie) || ie.Fields[c.field] == ""):
			t.Errorf("%s: %v, want a %s error", c.name, err, c.field)
		}
	}
	if now := correctionState(t, s, a.ID, draft.ID); now != state {
		t.Errorf("refused corrections changed something:\n%s\nnow\n%s", state, now)
	}

	// /corrections: published articles only, newest first, paged.
	gone := &news.Correction{ArticleID: other.ID, Kind: news.Erratum, Text: "تصحيح على خبر سُحب لاحقًا"}
	if err := s.AddCorrection(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, other.ID, other.Version, news.Change{Action: news.ActionUnpublish}); err != nil {
		t.Fatal(err)
	}
	recent, total, err := s.RecentCorrections(ctx, 10, 0)
	if err != nil || total != 2 || len(recent) != 2 || recent[0].ID != note.ID || recent[1].ID != fix.ID {
		t.Fatalf("recent corrections: %d %+v %v", total, recent, err)
	}
	if ar := recent[0].Article; ar == nil || ar.ID != a.ID || ar.Slug != a.Slug || ar.Headline != a.Headline {
		t.Errorf("a recent correction's article: %+v", ar)
	}
	if page, total, err := s.RecentCorrections(ctx, 1, 1); err != nil || total != 2 || len(page) != 1 || page[0].ID != fix.ID {
		t.Errorf("second page of one: %d %+v %v", total, page, err)
	}
	if err := s.AddCorrection(ctx, &news.Correction{ArticleID: other.ID, Kind: news.EditorsNote, Text: "ملاحظة"}); !news.IsInvalid(err) {
		t.Errorf("a note on a withdrawn article: %v", err)
	}

	// Deleting: only through its own article.
	state = correctionState(t, s, a.ID, other.ID)
	for _, ids := range [][2]int64{{other.ID, fix.ID}, {a.ID, gone.ID}, {a.ID, 1 << 62}} {
		if err := s.DeleteCorrection(ctx, ids[0], ids[1], editor); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("delete correction %d through article %d: %v", ids[1], ids[0], err)
		}
	}
	if now := correctionState(t, s, a.ID, other.ID); now != state {
		t.Errorf("refused deletions changed something:\n%s\nnow\n%s", state, now)
	}
	before, _ = s.LastEventID(ctx)
	if err := s.DeleteCorrection(ctx, a.ID, fix.ID, editor); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ArticleCorrections(ctx, a.ID); len(list) != 1 || list[0].ID != note.ID {
		t.Errorf("after deleting the correction: %+v", list)
	}
	if evs := lastEvents(t, s, before); len(evs) != 1 || evs[0].Kind != news.EventCorrectionChanged || evs[0].ArticleID != a.ID {
		t.Errorf("deleting a correction wrote %+v", evs)
	}
	if now, _ := s.GetArticle(ctx, a.ID); now.UpdatedAt.Before(note.CreatedAt) {
		t.Errorf("deleting moved the updated time back: %s", now.UpdatedAt)
	}
	if log, _ := s.AuditLog(ctx, 1, 0); len(log) != 1 || log[0].Action != "correction.delete" || log[0].Detail != fix.Text {
		t.Errorf("audit log of the deletion: %+v", log)
	}
	if err := s.DeleteCorrection(ctx, a.ID, fix.ID, editor); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
}
