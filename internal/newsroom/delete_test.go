package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestDeleteArticle: what readers never saw is deleted after a
// confirmation, by its writer or an editor; a live article, a stale
// version, someone else's draft or lock, and forged input are refused.
func TestDeleteArticle(t *testing.T) {
	storetest.Each(t, testDeleteArticle)
}

func testDeleteArticle(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	wu, writer := f.as(t, auth.RoleWriter)
	_, editor := f.as(t, auth.RoleEditor)
	_, moderator := f.as(t, auth.RoleModerator)
	del := func(c *storetest.Client, a *news.Article, confirm bool, version int64) storetest.Response {
		t.Helper()
		form := url.Values{"version": {itoa(version)}}
		if confirm {
			form.Set("confirm", "1")
		}
		return c.Post(adminPath(a)+"/delete", form)
	}
	gone := func(a *news.Article) bool {
		_, err := s.GetArticle(ctx, a.ID)
		return err != nil
	}

	mine := f.articleIn(t, news.StatusDraft, wu.ID)
	if page := writer.Get(adminPath(mine)); !strings.Contains(page.Body, `action="`+adminPath(mine)+`/delete"`) {
		t.Error("a writer's draft offers no delete button")
	}
	r := del(writer, mine, false, mine.Version)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "هل تحذف هذا الخبر نهائيًا؟") || !strings.Contains(r.Body, mine.Headline) || gone(mine) {
		t.Fatalf("delete asks first: %d, deleted %v", r.Status, gone(mine))
	}
	if r := del(writer, mine, true, mine.Version+1); r.Status != http.StatusConflict || gone(mine) {
		t.Errorf("stale delete: %d", r.Status)
	}
	if r := del(writer, mine, true, mine.Version); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/?done=deleted" || !gone(mine) {
		t.Fatalf("writer deletes their draft: %d %s", r.Status, r.Header.Get("Location"))
	}
	if desk := writer.Get("/admin/?done=deleted"); !strings.Contains(desk.Body, "حُذف الخبر") {
		t.Error("no notice after deleting")
	}
	if r := del(writer, mine, true, mine.Version); r.Status != http.StatusNotFound {
		t.Errorf("deleting twice: %d", r.Status)
	}

	theirs := f.articleIn(t, news.StatusDraft, 0)
	for name, c := range map[string]*storetest.Client{"writer": writer, "moderator": moderator} {
		if r := del(c, theirs, true, theirs.Version); r.Status != http.StatusForbidden || gone(theirs) {
			t.Errorf("%s deletes someone else's draft: %d", name, r.Status)
		}
	}
	// Someone else holds the draft: the delete waits, like a save.
	if p := heartbeat(t, writer, theirs.ID, false); p.Locked {
		t.Fatal("watching locked the draft")
	}
	if _, err := s.EnterArticle(ctx, theirs.ID, news.Actor{UserID: wu.ID, Name: wu.Name}, store.TakeOver, time.Minute); err != nil {
		t.Fatal(err)
	}
	if r := del(editor, theirs, true, theirs.Version); r.Status != http.StatusConflict || gone(theirs) {
		t.Errorf("delete under someone else's lock: %d", r.Status)
	}
	if err := s.LeaveArticle(ctx, theirs.ID, wu.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if r := del(editor, theirs, true, theirs.Version); r.Status != http.StatusSeeOther || !gone(theirs) {
		t.Errorf("editor deletes a draft: %d", r.Status)
	}
	review := f.articleIn(t, news.StatusReview, wu.ID)
	if r := del(editor, review, true, review.Version); r.Status != http.StatusSeeOther || !gone(review) {
		t.Errorf("editor deletes an article awaiting review: %d", r.Status)
	}

	live := f.articleIn(t, news.StatusPublished, 0)
	if page := editor.Get(adminPath(live)); strings.Contains(page.Body, "/delete") {
		t.Error("a published article offers a delete button")
	}
	if r := del(editor, live, true, live.Version); r.Status != http.StatusConflict || !strings.Contains(r.Body, "لا يمكن «احذف»") || gone(live) {
		t.Errorf("delete a published article: %d", r.Status)
	}
	for name, form := range map[string]url.Values{"no version": {"confirm": {"1"}}, "bad version": {"version": {"x"}, "confirm": {"1"}}} {
		if r := editor.Post(adminPath(live)+"/delete", form); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d", name, r.Status)
		}
	}
	if r := editor.Post("/admin/articles/abc/delete", url.Values{"version": {"1"}}); r.Status != http.StatusNotFound {
		t.Errorf("bad id: %d", r.Status)
	}
}
