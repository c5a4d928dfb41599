package newsroom

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestDesk: the desk is the newsroom's home. A writer sees the changes
// asked of them apart from their other drafts; an editor also sees what
// awaits review and what is live, each group with its count; an empty
// group is one line, not a box; the views show one half; rows carry a
// light action, never a heavy button.
func TestDesk(t *testing.T) { storetest.Each(t, testDesk) }

func testDesk(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	writer, wc := f.as(t, auth.RoleWriter)
	_, ec := f.as(t, auth.RoleEditor)
	draft := f.articleIn(t, news.StatusDraft, writer.ID)
	returned := f.articleIn(t, news.StatusReview, writer.ID)
	returned, err := s.Transition(ctx, returned.ID, returned.Version, news.Change{Action: news.ActionRequestChanges, Note: "اختصر"})
	if err != nil {
		t.Fatal(err)
	}
	review := f.articleIn(t, news.StatusReview, 0)
	live := f.articleIn(t, news.StatusPublished, 0)
	// Published two days ago: not among what is live now.
	old := f.Article("خبر الأمس")
	old.SectionID, old.Status, old.PublishedAt = f.Sections[0].ID, news.StatusPublished, time.Now().Add(-48*time.Hour)
	if err := s.CreateArticle(ctx, old); err != nil {
		t.Fatal(err)
	}

	// group is the desk's group key: its count and its rows' links.
	group := func(body, title string) (count string, rows []string) {
		m := regexp.MustCompile(`(?s)<summary><span class="group-title">` + title + `</span> <span class="badge count">([^<]*)</span></summary>(.*?)</details>`).FindStringSubmatch(body)
		if m == nil {
			return "", nil
		}
		for _, r := range regexp.MustCompile(`href="(/admin/[a-z]+/\d+)" class="desk-item"`).FindAllStringSubmatch(m[2], -1) {
			rows = append(rows, r[1])
		}
		return m[1], rows
	}
	mine := wc.Get("/admin/")
	if mine.Status != http.StatusOK {
		t.Fatalf("writer's desk: %d", mine.Status)
	}
	cases := []struct {
		who, body, title, count string
		rows                    []string
	}{
		{"writer", mine.Body, "طُلبت فيها تعديلات", "1", []string{adminPath(returned)}},
		{"writer", mine.Body, "مسوداتي", "1", []string{adminPath(draft)}},
		{"writer", mine.Body, "نُشر مؤخرًا", "1", []string{adminPath(live)}},
		{"editor", ec.Get("/admin/").Body, "بانتظار المراجعة", "1", []string{adminPath(review)}},
	}
	for _, c := range cases {
		if count, rows := group(c.body, c.title); count != c.count || strings.Join(rows, " ") != strings.Join(c.rows, " ") {
			t.Errorf("%s's %s: count %q rows %v; want %q %v", c.who, c.title, count, rows, c.count, c.rows)
		}
	}
	if strings.Contains(mine.Body, `<span class="group-title">بانتظار المراجعة`) {
		t.Error("a writer's desk offers the editors' review queue")
	}
	if !strings.Contains(mine.Body, `<p class="desk-none">أخبار أحرّرها الآن: لا شيء هنا.</p>`) {
		t.Error("an empty group is not a single line")
	}
	if strings.Contains(mine.Body, `<details class="card desk-list" id="desk_locks"`) {
		t.Error("an empty group has a box")
	}

	// The views: one half alone; anything else is a bad request.
	need := ec.Get("/admin/?view=need").Body
	if !strings.Contains(need, `id="desk_need"`) || strings.Contains(need, `id="desk_live"`) || !strings.Contains(need, `aria-current="page">ما يحتاجني`) {
		t.Error("view=need does not show what needs me alone")
	}
	if lv := ec.Get("/admin/?view=live").Body; strings.Contains(lv, `id="desk_need"`) || !strings.Contains(lv, `id="desk_live"`) {
		t.Error("view=live does not show what is live alone")
	}
	for _, bad := range []string{"nope", "%3Cscript%3E", "NEED"} {
		if r := ec.Get("/admin/?view=" + bad); r.Status != http.StatusBadRequest {
			t.Errorf("view=%q: %d", bad, r.Status)
		}
	}

	// Withdrawing is a row's light action, labelled with its article.
	all := ec.Get("/admin/").Body
	if !strings.Contains(all, `<button type="submit" class="light secondary" aria-label="اسحب «`+live.Headline+`» من النشر">`) {
		t.Error("the list's unpublish button is not a light action")
	}
}
