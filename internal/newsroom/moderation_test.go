package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestModerationButtons: each comment in the queue has its own approve
// and reject buttons, which act on it alone whatever is ticked; a bulk
// button with nothing ticked says so on the queue instead of a bare 400;
// forged actions are refused.
func TestModerationButtons(t *testing.T) { storetest.Each(t, testModerationButtons) }

func testModerationButtons(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	a := f.articleIn(t, news.StatusPublished, 0)
	var ids []int64
	for _, body := range []string{"تعليق أول", "تعليق ثان"} {
		c := &news.Comment{ArticleID: a.ID, Status: news.CommentPending, Name: "قارئ", Body: body, Identity: "id-" + body, IPHash: "ip", BodyHash: "h-" + body}
		if err := s.CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	_, mod := f.as(t, auth.RoleModerator)
	queue := mod.Get("/admin/comments")
	if !strings.Contains(queue.Body, `value="approve:`+itoa(ids[0])+`"`) || !strings.Contains(queue.Body, `value="reject:`+itoa(ids[1])+`"`) {
		t.Fatal("the queue has no buttons of each comment's own")
	}
	// The first comment's own button, with the second ticked.
	r := mod.Post("/admin/comments/moderate", url.Values{"action": {"approve:" + itoa(ids[0])}, "id": {itoa(ids[1])}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("approve one: %d", r.Status)
	}
	for i, want := range []news.CommentStatus{news.CommentApproved, news.CommentPending} {
		if c, _ := s.GetComment(ctx, ids[i]); c.Status != want {
			t.Errorf("comment %d is %s, want %s", i, c.Status, want)
		}
	}
	r = mod.Post("/admin/comments/moderate", url.Values{"action": {"approve"}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=none_selected") {
		t.Fatalf("nothing ticked: %d to %s", r.Status, r.Header.Get("Location"))
	}
	if page := mod.Get(r.Header.Get("Location")); !strings.Contains(page.Body, "لم تختر أي تعليق") {
		t.Error("the queue does not say that nothing was ticked")
	}
	for _, action := range []string{"approve:abc", "approve:-3", "launch:" + itoa(ids[1]), "launch"} {
		if r := mod.Post("/admin/comments/moderate", url.Values{"action": {action}, "id": {itoa(ids[1])}}); r.Status != http.StatusBadRequest {
			t.Errorf("action %q: %d, want 400", action, r.Status)
		}
	}
	if c, _ := s.GetComment(ctx, ids[1]); c.Status != news.CommentPending {
		t.Errorf("a refused action moved the second comment to %s", c.Status)
	}
}
