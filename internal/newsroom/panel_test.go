package newsroom

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestArticlePanel: the form's main button says what it does for the role
// and the state; the side panel's scheduling fields schedule the article
// in the outlet's zone, refuse a bad date with the form again, and are
// the desk's only.
func TestArticlePanel(t *testing.T) { storetest.Each(t, testArticlePanel) }

func testArticlePanel(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	writer, wc := f.as(t, auth.RoleWriter)
	_, ec := f.as(t, auth.RoleEditor)
	primary := regexp.MustCompile(`<button type="submit" name="action" value="([a-z_]+)" class="primary">([^<]+)</button>`)
	cases := []struct {
		name   string
		c      *storetest.Client
		path   string
		action string
		label  string
	}{
		{"writer, own draft", wc, adminPath(f.articleIn(t, news.StatusDraft, writer.ID)), "submit", "إرسال للمراجعة"},
		{"writer, new article", wc, "/admin/articles/new", "submit", "إرسال للمراجعة"},
		{"editor, new article", ec, "/admin/articles/new", "publish", "نشر الآن"},
		{"editor, in review", ec, adminPath(f.articleIn(t, news.StatusReview, writer.ID)), "publish", "نشر الآن"},
		{"editor, scheduled", ec, adminPath(f.articleIn(t, news.StatusScheduled, 0)), "schedule", "جدولة"},
		{"editor, published", ec, adminPath(f.articleIn(t, news.StatusPublished, 0)), "publish", "نشر التحديث"},
	}
	for _, c := range cases {
		page := c.c.Get(c.path)
		all := primary.FindAllStringSubmatch(page.Body, -1)
		if page.Status != http.StatusOK || len(all) != 1 || all[0][1] != c.action || all[0][2] != c.label {
			t.Errorf("%s: %d, main buttons %q; want one %s «%s»", c.name, page.Status, all, c.action, c.label)
		}
	}
	if page := wc.Get(adminPath(f.articleIn(t, news.StatusDraft, writer.ID))).Body; strings.Contains(page, `name="publish_at_day"`) {
		t.Error("a writer is offered the scheduling fields")
	}

	a := f.articleIn(t, news.StatusDraft, 0)
	at := time.Now().In(f.n.zone()).Add(48 * time.Hour).Truncate(time.Minute)
	form := articleForm(a, "schedule")
	form.Set("publish_at_day", strconv.Itoa(at.Day()))
	form.Set("publish_at_month", strconv.Itoa(int(at.Month())))
	form.Set("publish_at_year", strconv.Itoa(at.Year()))
	form.Set("publish_at_time", at.Format("15:04"))
	bad := articleForm(a, "schedule")
	for k, v := range form {
		if strings.HasPrefix(k, "publish_at") {
			bad[k] = v
		}
	}
	bad.Set("publish_at_day", "31")
	bad.Set("publish_at_month", "2")
	r := ec.Post(adminPath(a), bad)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "أدخل تاريخًا ووقتًا صحيحين") {
		t.Errorf("31 February: %d", r.Status)
	}
	// The refused date comes back as typed, to be corrected.
	for _, want := range []string{`<option value="31" selected>`, `<option value="2" selected>`, `<option value="` + strconv.Itoa(at.Year()) + `" selected>`,
		`name="publish_at_time" value="` + at.Format("15:04") + `"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("31 February shown again without %s", want)
		}
	}
	if got := f.article(t, a.ID); got.Status != news.StatusDraft || got.Version != a.Version {
		t.Errorf("a refused schedule changed the article: %s v%d", got.Status, got.Version)
	}
	if r := wc.Post(adminPath(f.articleIn(t, news.StatusDraft, writer.ID)), form); r.Status != http.StatusForbidden {
		t.Errorf("a writer schedules: %d", r.Status)
	}
	if r := ec.Post(adminPath(a), form); r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "done=step_schedule") {
		t.Fatalf("schedule: %d %s", r.Status, r.Header.Get("Location"))
	}
	if got := f.article(t, a.ID); got.Status != news.StatusScheduled || !got.PublishAt.Equal(at) || got.Headline != a.Headline+" (معدّل)" {
		t.Errorf("scheduled: %s at %v %q, want %v and the form's changes", got.Status, got.PublishAt, got.Headline, at)
	}
}
