package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// testEditing: watching an article counts the editor in without locking
// it; the first to claim it holds its edit lock, others see who is in it,
// a takeover moves the lock, a silent page gives it up after the ttl, and
// of many claiming it at once exactly one holds it.
func testEditing(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	var people []news.Actor
	for i, name := range []string{"ريم", "Omar", "سلمى", "هادي", "نور", "Lina"} {
		u := auth.User{Email: "editing" + string(rune('a'+i)) + "@example.com", Name: name, Role: auth.RoleEditor, PasswordHash: "x"}
		if err := s.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		people = append(people, news.Actor{UserID: u.ID, Name: u.Name})
	}
	a := f.Article("خبر يحرره اثنان")
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	const ttl = time.Minute
	enter := func(who news.Actor, mode store.LockMode) news.Editing {
		t.Helper()
		e, err := s.EnterArticle(ctx, a.ID, who, mode, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	reem, omar, salma := people[0], people[1], people[2]

	e := enter(omar, store.Watch)
	if e.Lock.UserID != 0 || len(e.Open) != 1 || e.LockedFor(reem.UserID) {
		t.Fatalf("watching: %+v", e)
	}
	e = enter(reem, store.Claim)
	if e.Lock.UserID != reem.UserID || e.Lock.Name != reem.Name || len(e.Open) != 2 || e.LockedFor(reem.UserID) {
		t.Fatalf("first claim: %+v", e)
	}
	e = enter(omar, store.Claim)
	if e.Lock.UserID != reem.UserID || !e.LockedFor(omar.UserID) || len(e.Open) != 2 {
		t.Fatalf("second claim: %+v", e)
	}
	if others := e.Others(omar.UserID); len(others) != 1 || others[0].UserID != reem.UserID {
		t.Errorf("others for omar: %+v", others)
	}
	// The holder's heartbeat keeps the lock and the time it was taken.
	taken := e.Lock.Since
	if e = enter(reem, store.Watch); e.Lock.UserID != reem.UserID || !e.Lock.Since.Equal(taken) || !e.Lock.SeenAt.After(e.Lock.Since) {
		t.Errorf("heartbeat: %+v, taken %v", e.Lock, taken)
	}
	if e = enter(omar, store.TakeOver); e.Lock.UserID != omar.UserID || !e.LockedFor(reem.UserID) {
		t.Fatalf("takeover: %+v", e)
	}
	if e = enter(reem, store.Claim); e.Lock.UserID != omar.UserID {
		t.Errorf("a taken lock went back to a claim: %+v", e.Lock)
	}
	// A goodbye from a page older than omar's last sign of life is late:
	// a newer page of his holds the lock.
	if err := s.LeaveArticle(ctx, a.ID, omar.UserID, e.Lock.SeenAt.Add(-time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if e, err := s.ArticleEditing(ctx, a.ID, ttl); err != nil || e.Lock.UserID != omar.UserID {
		t.Fatalf("a late goodbye freed the lock: %+v, %v", e.Lock, err)
	}
	if err := s.LeaveArticle(ctx, a.ID, omar.UserID, e.Lock.SeenAt); err != nil {
		t.Fatal(err)
	}
	e, err := s.ArticleEditing(ctx, a.ID, ttl)
	if err != nil {
		t.Fatal(err)
	}
	if e.Lock.UserID != 0 || len(e.Open) != 1 || e.Open[0].UserID != reem.UserID {
		t.Fatalf("after omar left: %+v", e)
	}
	// With no sign of life for longer than the ttl, the lock is anyone's.
	if e = enter(salma, store.Claim); e.Lock.UserID != salma.UserID {
		t.Fatalf("free lock: %+v", e.Lock)
	}
	if _, err := s.EnterArticle(ctx, a.ID, reem, store.Claim, time.Nanosecond); err != nil {
		t.Fatal(err)
	}
	if e, err = s.ArticleEditing(ctx, a.ID, ttl); err != nil || e.Lock.UserID != reem.UserID {
		t.Fatalf("lock of a silent page: %+v, %v", e.Lock, err)
	}

	// Many claiming at once: one lock, everyone counted.
	b := f.Article("خبر يفتحه الجميع")
	if err := s.CreateArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(people))
	for _, p := range people {
		wg.Go(func() {
			if _, err := s.EnterArticle(ctx, b.ID, p, store.Claim, ttl); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	e, err = s.ArticleEditing(ctx, b.ID, ttl)
	if err != nil {
		t.Fatal(err)
	}
	if e.Lock.UserID == 0 || len(e.Open) != len(people) {
		t.Fatalf("after all arrived: lock %+v, %d open", e.Lock, len(e.Open))
	}
	holders := 0
	for _, p := range people {
		if !e.LockedFor(p.UserID) {
			holders++
		}
	}
	if holders != 1 {
		t.Errorf("%d people may save", holders)
	}

	// The clean-up removes only rows not heard from within its ttl.
	if n, err := s.DeleteLapsedEditing(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("clean-up of live rows: %d removed, %v", n, err)
	}
	if e, err = s.ArticleEditing(ctx, b.ID, ttl); err != nil || len(e.Open) != len(people) {
		t.Fatalf("live rows after the clean-up: %+v, %v", e, err)
	}
	if n, err := s.DeleteLapsedEditing(ctx, 0); err != nil || n < int64(len(people)+1) {
		t.Fatalf("clean-up of lapsed rows: %d removed, %v", n, err)
	}
	if e, err = s.ArticleEditing(ctx, b.ID, time.Hour); err != nil || e.Lock.UserID != 0 || len(e.Open) != 0 {
		t.Fatalf("lapsed rows left: %+v, %v", e, err)
	}
}

// testDeleteArticle: a draft or an article awaiting review is deleted with
// its revisions and tags, audited; a stale version, or an article readers
// saw (published, scheduled, withdrawn), is refused and kept.
func testDeleteArticle(t *testing.T, s *store.Store, f Fixture) {
	ctx := store.WithActor(context.Background(), news.Actor{Name: "محرر الحذف"})
	a := f.Article("مسودة تُحذف")
	a.Tags = []news.Tag{{Name: "وسم يبقى"}}
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteArticle(ctx, a.ID, a.Version+1); !errors.Is(err, news.ErrConflict) {
		t.Fatalf("stale delete: %v", err)
	}
	if err := s.DeleteArticle(ctx, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetArticle(ctx, a.ID); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("deleted article read back: %v", err)
	}
	if revs, err := s.Revisions(ctx, a.ID, 10); err != nil || len(revs) != 0 {
		t.Errorf("revisions of a deleted article: %d, %v", len(revs), err)
	}
	log, err := s.AuditLog(ctx, 1, 0)
	if err != nil || len(log) != 1 || log[0].Action != "article.delete" || log[0].Detail != "مسودة تُحذف" || log[0].Name != "محرر الحذف" {
		t.Errorf("audit after delete: %+v, %v", log, err)
	}
	if err := s.DeleteArticle(ctx, a.ID, a.Version); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}

	review := f.Article("بانتظار المراجعة")
	if err := s.CreateArticle(ctx, review); err != nil {
		t.Fatal(err)
	}
	review, err = s.Transition(ctx, review.ID, review.Version, news.Change{Action: news.ActionSubmit})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteArticle(ctx, review.ID, review.Version); err != nil {
		t.Errorf("delete an article awaiting review: %v", err)
	}

	for _, c := range []news.Change{{Action: news.ActionPublish}, {Action: news.ActionSchedule, At: time.Now().Add(time.Hour)}} {
		b := f.Article("خبر رآه القراء أو سيرونه")
		if err := s.CreateArticle(ctx, b); err != nil {
			t.Fatal(err)
		}
		b, err = s.Transition(ctx, b.ID, b.Version, c)
		if err != nil {
			t.Fatal(err)
		}
		steps := []news.Change{{}}
		if c.Action == news.ActionPublish {
			steps = append(steps, news.Change{Action: news.ActionUnpublish})
		}
		for _, step := range steps {
			if step.Action != "" {
				if b, err = s.Transition(ctx, b.ID, b.Version, step); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.DeleteArticle(ctx, b.ID, b.Version); !errors.Is(err, news.ErrTransition) {
				t.Errorf("delete a %s article: %v", b.Status, err)
			}
			if _, err := s.GetArticle(ctx, b.ID); err != nil {
				t.Errorf("a refused delete lost the %s article: %v", b.Status, err)
			}
		}
	}
}

// testAutosaveSnapshots: autosaves stay out of the history, but each
// person's last one is what RevisionAsOf finds for its version.
func testAutosaveSnapshots(t *testing.T, s *store.Store, f Fixture) {
	var people []news.Actor
	for i, name := range []string{"كاتبة", "محرر"} {
		u := auth.User{Email: "autosave" + string(rune('a'+i)) + "@example.com", Name: name, Role: auth.RoleEditor, PasswordHash: "x"}
		if err := s.CreateUser(context.Background(), &u); err != nil {
			t.Fatal(err)
		}
		people = append(people, news.Actor{UserID: u.ID, Name: u.Name})
	}
	as := func(who news.Actor, autosave bool) context.Context {
		ctx := store.WithActor(context.Background(), who)
		if autosave {
			ctx = store.WithoutRevision(ctx)
		}
		return ctx
	}
	a := f.Article("الأصل")
	if err := s.CreateArticle(as(people[0], false), a); err != nil {
		t.Fatal(err)
	}
	save := func(who news.Actor, autosave bool, headline string) int64 {
		t.Helper()
		a.Headline = headline
		if err := s.UpdateArticle(as(who, autosave), a); err != nil {
			t.Fatal(err)
		}
		return a.Version
	}
	asOf := func(v int64) string {
		t.Helper()
		rev, err := s.RevisionAsOf(context.Background(), a.ID, v)
		if err != nil {
			t.Fatal(err)
		}
		return rev.Article().Headline
	}
	first := save(people[0], true, "مسودة تلقائية أولى")
	second := save(people[0], true, "مسودة تلقائية ثانية")
	other := save(people[1], true, "مسودة المحرر")
	if got := asOf(second); got != "مسودة تلقائية ثانية" {
		t.Errorf("as of the writer's last autosave: %q", got)
	}
	if got := asOf(first); got != "الأصل" {
		t.Errorf("as of a replaced autosave: %q, want the save before it", got)
	}
	if got := asOf(other); got != "مسودة المحرر" {
		t.Errorf("as of the editor's autosave: %q", got)
	}
	save(people[1], false, "حفظ صريح")
	revs, err := s.Revisions(context.Background(), a.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[0].Article().Headline != "حفظ صريح" || revs[1].Article().Headline != "الأصل" {
		t.Errorf("history with autosaves: %d revisions", len(revs))
	}
}

// testDraftKey: a page's key makes one article; a second with it is a
// duplicate, and the key finds the first.
func testDraftKey(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	key := strings.Repeat("ab", 16)
	a := f.Article("مسودة صفحة واحدة")
	a.DraftKey = key
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := f.Article("مسودة الصفحة نفسها مرة ثانية")
	b.DraftKey = key
	if err := s.CreateArticle(ctx, b); !errors.Is(err, news.ErrDuplicate) {
		t.Fatalf("second article with the key: %v", err)
	}
	if id, _, err := s.DraftByKey(ctx, key); err != nil || id != a.ID {
		t.Errorf("draft by key: %d, %v; want %d", id, err, a.ID)
	}
	if _, _, err := s.DraftByKey(ctx, strings.Repeat("cd", 16)); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("unknown key: %v", err)
	}
	for range 2 { // articles without a key never collide
		if err := s.CreateArticle(ctx, f.Article("بلا مفتاح")); err != nil {
			t.Fatal(err)
		}
	}
}
