package storetest

import (
	"context"
	"errors"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// testRevisions: every explicit save keeps a revision in its own
// transaction; autosaves keep none; a revision restores.
func testRevisions(t *testing.T, s *store.Store, f Fixture) {
	writer := auth.User{Email: "rev@example.com", Name: "محررة", Role: auth.RoleWriter, PasswordHash: "x"}
	if err := s.CreateUser(context.Background(), &writer); err != nil {
		t.Fatal(err)
	}
	ctx := store.WithActor(context.Background(), news.Actor{UserID: writer.ID, Name: writer.Name})
	revs := func(id int64) []*store.Revision {
		t.Helper()
		list, err := s.Revisions(ctx, id, 100)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}

	a := f.Article("العنوان الأول")
	a.Tags = []news.Tag{{Name: "انتخابات"}}
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Headline = "العنوان الثاني"
	if err := s.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	list := revs(a.ID)
	if len(list) != 2 || list[0].Version != 2 || list[1].Version != 1 {
		t.Fatalf("after create and update: %d revisions %+v", len(list), list)
	}
	if got := list[0]; got.Author.UserID != writer.ID || got.Author.Name != writer.Name || got.At.IsZero() ||
		got.Article().Headline != "العنوان الثاني" || list[1].Article().Headline != "العنوان الأول" {
		t.Errorf("revision: %+v, headline %q", got, got.Article().Headline)
	}
	if tags := list[1].Article().Tags; len(tags) != 1 || tags[0].Name != "انتخابات" {
		t.Errorf("snapshot tags: %+v", tags)
	}
	if list[0].Status != news.StatusDraft || list[1].Status != news.StatusDraft {
		t.Errorf("revisions' states: %q %q, want drafts", list[0].Status, list[1].Status)
	}

	// A refused save keeps no revision, and a revision that cannot be
	// written refuses the save: both happen in one transaction.
	stale := *a
	stale.Version = 1
	if err := s.UpdateArticle(ctx, &stale); !errors.Is(err, news.ErrConflict) {
		t.Fatalf("stale save: %v", err)
	}
	badImage := *a
	badImage.Body = []news.Block{{Type: news.BlockImage, MediaID: 999999, Alt: "x"}}
	if err := s.UpdateArticle(ctx, &badImage); !news.IsInvalid(err) {
		t.Fatalf("save with a missing image: %v", err)
	}
	ghost := store.WithActor(context.Background(), news.Actor{UserID: 999999, Name: "لا أحد"})
	orphan := *a
	orphan.Headline = "لن يُحفظ"
	if err := s.UpdateArticle(ghost, &orphan); err == nil {
		t.Fatal("a save whose revision cannot be written went through")
	}
	if got, _ := s.GetArticle(ctx, a.ID); got.Version != 2 || got.Headline != "العنوان الثاني" {
		t.Errorf("after refused saves: version %d, %q", got.Version, got.Headline)
	}
	if n := len(revs(a.ID)); n != 2 {
		t.Errorf("refused saves left revisions: %d", n)
	}

	// An autosave bumps the version and keeps no revision in the history,
	// only the hidden snapshot a refused save is compared with.
	a.Lead = "مقدمة محفوظة تلقائيًا"
	if err := s.UpdateArticle(store.WithoutRevision(ctx), a); err != nil {
		t.Fatal(err)
	}
	if n := len(revs(a.ID)); a.Version != 3 || n != 2 {
		t.Errorf("autosave: version %d, %d revisions", a.Version, n)
	}
	if r, err := s.RevisionAsOf(ctx, a.ID, a.Version); err != nil || r.Version != 3 || r.Article().Lead != a.Lead {
		t.Errorf("revision as of version %d: %+v, %v", a.Version, r, err)
	}

	// Restoring the first revision is a save like any other.
	first := list[1]
	first.ApplyTo(a)
	if err := s.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetArticle(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Headline != "العنوان الأول" || got.Lead != "مقدمة الخبر" || len(got.Tags) != 1 || len(revs(a.ID)) != 3 {
		t.Errorf("restored: %q %q %+v, %d revisions", got.Headline, got.Lead, got.Tags, len(revs(a.ID)))
	}

	// A staged update of a published article is a revision too; the
	// live version stays.
	pub, err := s.SetStatus(ctx, a.ID, got.Version, news.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	pub.Headline = "تحديث مرحلي"
	if err := s.StageUpdate(ctx, pub); err != nil {
		t.Fatal(err)
	}
	if list := revs(a.ID); list[0].Article().Headline != "تحديث مرحلي" || list[0].Version != pub.Version {
		t.Errorf("staged revision: %q at %d, article at %d", list[0].Article().Headline, list[0].Version, pub.Version)
	}
	if live, _ := s.GetArticle(ctx, a.ID); live.Headline != "العنوان الأول" {
		t.Errorf("live headline after staging: %q", live.Headline)
	}

	other := f.Article("خبر آخر")
	if err := s.CreateArticle(ctx, other); err != nil {
		t.Fatal(err)
	}
	for _, rev := range []int64{revs(other.ID)[0].ID, 999999} {
		if _, err := s.RevisionAt(ctx, a.ID, rev); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("revision %d of article %d: %v", rev, a.ID, err)
		}
	}
	if _, err := s.RevisionAsOf(ctx, 999999, 1); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("revision of a missing article: %v", err)
	}
}
