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

// TestWorkflowRoleMatrix takes every workflow action as every role: those
// the role may take go through (303), the others are refused (403) and
// change nothing.
func TestWorkflowRoleMatrix(t *testing.T) {
	storetest.Each(t, testWorkflowRoleMatrix)
}

func testWorkflowRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	type client struct {
		*storetest.Client
		id int64
	}
	clients := map[auth.Role]client{}
	for _, role := range auth.Roles {
		u, c := f.as(t, role)
		clients[role] = client{c, u.ID}
	}
	writers := map[auth.Role]bool{auth.RoleAdmin: true, auth.RoleEditor: true, auth.RoleWriter: true}
	editors := map[auth.Role]bool{auth.RoleAdmin: true, auth.RoleEditor: true}
	later := func() url.Values { return f.timeField(time.Now().Add(2 * time.Hour)) }
	// stage gives a published article a staged update.
	stage := func(a *news.Article) *news.Article {
		edit := *a
		edit.Headline = "تحديث منتظر"
		if err := s.StageUpdate(context.Background(), &edit); err != nil {
			t.Fatal(err)
		}
		return &edit
	}
	cases := []struct {
		name    string
		state   news.Status
		own     bool // created by the acting user
		prepare func(a *news.Article) *news.Article
		do      func(c *storetest.Client, a *news.Article) storetest.Response
		allowed map[auth.Role]bool
	}{
		{"create a draft", "", false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return c.Post("/admin/articles/new", articleForm(a, "save"))
		}, writers},
		{"edit own draft", news.StatusDraft, true, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return c.Post(adminPath(a), articleForm(a, "save"))
		}, writers},
		{"submit own draft", news.StatusDraft, true, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return c.Post(adminPath(a), articleForm(a, "submit"))
		}, writers},
		{"edit another's draft", news.StatusDraft, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return c.Post(adminPath(a), articleForm(a, "save"))
		}, editors},
		{"stage an update", news.StatusPublished, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return c.Post(adminPath(a), articleForm(a, "save"))
		}, editors},
		{"update live", news.StatusPublished, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return c.Post(adminPath(a), articleForm(a, "publish"))
		}, editors},
		{"request changes", news.StatusReview, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return step(c, a, news.ActionRequestChanges, url.Values{"note": {"أضف مصدرًا"}})
		}, editors},
		{"publish", news.StatusReview, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return step(c, a, news.ActionPublish, nil)
		}, editors},
		{"schedule", news.StatusReview, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return step(c, a, news.ActionSchedule, later())
		}, editors},
		{"unschedule", news.StatusScheduled, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return step(c, a, news.ActionUnschedule, nil)
		}, editors},
		{"unpublish", news.StatusPublished, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return step(c, a, news.ActionUnpublish, nil)
		}, editors},
		{"schedule unpublishing", news.StatusPublished, false, nil, func(c *storetest.Client, a *news.Article) storetest.Response {
			return step(c, a, news.ActionExpire, later())
		}, editors},
		{"cancel unpublishing", news.StatusPublished, false, func(a *news.Article) *news.Article {
			a, err := s.Transition(context.Background(), a.ID, a.Version, news.Change{Action: news.ActionExpire, At: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}, func(c *storetest.Client, a *news.Article) storetest.Response { return step(c, a, news.ActionKeep, nil) }, editors},
		{"publish an update", news.StatusPublished, false, stage, func(c *storetest.Client, a *news.Article) storetest.Response {
			return step(c, a, news.ActionPublishUpdate, nil)
		}, editors},
		{"discard an update", news.StatusPublished, false, stage, func(c *storetest.Client, a *news.Article) storetest.Response {
			return step(c, a, news.ActionDiscardUpdate, nil)
		}, editors},
	}
	for _, c := range cases {
		for _, role := range auth.Roles {
			cl := clients[role]
			a := &news.Article{Headline: "خبر جديد", SectionID: f.Sections[0].ID}
			if c.state != "" {
				owner := int64(0)
				if c.own {
					owner = cl.id
				}
				a = f.articleIn(t, c.state, owner)
				if c.prepare != nil {
					a = c.prepare(a)
				}
			}
			r := c.do(cl.Client, a)
			want := http.StatusForbidden
			if c.allowed[role] {
				want = http.StatusSeeOther
			}
			if r.Status != want {
				t.Errorf("%s as %s: %d, want %d", c.name, role, r.Status, want)
				continue
			}
			if a.ID > 0 {
				after := f.article(t, a.ID)
				if changed := after.Version != a.Version; changed != c.allowed[role] {
					t.Errorf("%s as %s: version %d → %d", c.name, role, a.Version, after.Version)
				}
			}
		}
	}
}

// TestWorkflowOverHTTP follows an article from a writer's draft through
// review, scheduling, publishing and a staged update, with the refusals
// on the way. (What readers see of it is internal/app's
// TestWorkflowReachesReaders.)
func TestWorkflowOverHTTP(t *testing.T) {
	storetest.Each(t, testWorkflowOverHTTP)
}

func testWorkflowOverHTTP(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	wu, writer := f.as(t, auth.RoleWriter)
	_, editor := f.as(t, auth.RoleEditor)

	form := articleForm(&news.Article{Headline: "مسودة كاتبة عن الموازنة", SectionID: f.Sections[0].ID}, "submit")
	form.Del("version")
	r := writer.Post("/admin/articles/new", form)
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "done=step_submit") {
		t.Fatalf("writer's new draft, submitted: %d %s", r.Status, r.Header.Get("Location"))
	}
	a := f.article(t, savedID(t, r))
	if a.Status != news.StatusReview || a.CreatedBy != wu.ID {
		t.Fatalf("submitted article: %s by %d", a.Status, a.CreatedBy)
	}
	if page := writer.Get(r.Header.Get("Location")); !strings.Contains(page.Body, "أُرسل الخبر إلى المحررين للمراجعة") {
		t.Error("no flash after submitting")
	}
	// Submitted: the writer cannot change it any more.
	if r := writer.Post(adminPath(a), articleForm(a, "save")); r.Status != http.StatusConflict {
		t.Errorf("writer edits a submitted article: %d", r.Status)
	}
	desk := editor.Get("/admin/")
	if !strings.Contains(desk.Body, "بانتظار المراجعة") || !strings.Contains(desk.Body, a.Headline) {
		t.Error("the editor's desk does not list the article awaiting review")
	}

	// Refusals, each with the reason in Arabic.
	refusals := []struct {
		name   string
		act    news.Action
		extra  url.Values
		status int
		says   string
	}{
		{"changes without a note", news.ActionRequestChanges, url.Values{"note": {"  "}}, 422, "هذا الحقل مطلوب"},
		{"a note of 2001 letters", news.ActionRequestChanges, url.Values{"note": {strings.Repeat("ن", news.MaxNote+1)}}, 422, "النص أطول من المسموح"},
		{"schedule in the past", news.ActionSchedule, f.timeField(time.Now().Add(-time.Hour)), 422, "اختر موعدًا في المستقبل"},
		{"schedule at no time", news.ActionSchedule, url.Values{"at": {"غدًا صباحًا"}}, 422, "أدخل تاريخًا ووقتًا صحيحين"},
		{"schedule in 2226", news.ActionSchedule, f.timeField(time.Now().AddDate(200, 0, 0)), 422, "الموعد بعيد جدًا"},
		{"unpublish what is not live", news.ActionUnpublish, nil, 409, "لا يمكن «اسحب من النشر» لخبر حالته «بانتظار المراجعة»"},
		{"publish an update that is not there", news.ActionPublishUpdate, nil, 409, "لا يمكن «انشر التحديث»"},
	}
	for _, c := range refusals {
		r := step(editor, a, c.act, c.extra)
		if r.Status != c.status || !strings.Contains(r.Body, c.says) {
			t.Errorf("%s: %d, want %d with %q", c.name, r.Status, c.status, c.says)
		}
	}
	for name, form := range map[string]url.Values{
		"unknown step":   {"action": {"delete"}, "version": {"1"}},
		"no version":     {"action": {"publish"}},
		"bad old status": {"status": {"draft"}, "version": {"1"}},
	} {
		if r := editor.Post(adminPath(a)+"/status", form); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d", name, r.Status)
		}
	}
	if r := step(editor, &news.Article{ID: a.ID, Version: a.Version - 1}, news.ActionPublish, nil); r.Status != http.StatusConflict {
		t.Errorf("stale version: %d", r.Status)
	}
	if after := f.article(t, a.ID); after.Version != a.Version || after.Status != news.StatusReview {
		t.Fatal("a refused step changed the article")
	}

	// Changes requested: back to the writer's drafts, with the note.
	if r := step(editor, a, news.ActionRequestChanges, url.Values{"note": {"أضف رأي المعارضة"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("request changes: %d %s", r.Status, r.Body)
	}
	a = f.article(t, a.ID)
	if page := writer.Get(adminPath(a)); !strings.Contains(page.Body, "أضف رأي المعارضة") || !strings.Contains(page.Body, `value="submit"`) {
		t.Error("the writer does not see the editor's note, or cannot resubmit")
	}
	if desk := writer.Get("/admin/"); !strings.Contains(desk.Body, "مسوداتي") || !strings.Contains(desk.Body, a.Headline) {
		t.Error("the writer's desk does not list their draft")
	}
	if r := writer.Post(adminPath(a), articleForm(a, "submit")); r.Status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", r.Status)
	}
	a = f.article(t, a.ID)

	// Scheduled, then moved forward to now.
	at := f.fieldTime(time.Now().Add(3 * time.Hour))
	if r := step(editor, a, news.ActionSchedule, f.timeField(at)); r.Status != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", r.Status, r.Body)
	}
	a = f.article(t, a.ID)
	if a.Status != news.StatusScheduled || a.PublishAt.Unix() != at.Unix() {
		t.Fatalf("scheduled: %s at %v, want %v", a.Status, a.PublishAt, at)
	}
	if desk := editor.Get("/admin/"); !strings.Contains(desk.Body, "يُنشر في") {
		t.Error("the desk does not show the scheduled time")
	}
	if r := step(editor, a, news.ActionPublish, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("publish now: %d", r.Status)
	}
	a = f.article(t, a.ID)
	if a.Status != news.StatusPublished {
		t.Fatalf("published now: %s", a.Status)
	}

	// A staged update waits in the newsroom until it is published.
	edit := articleForm(a, "save")
	edit.Set("headline", "عنوان منقّح بعد النشر")
	if r := editor.Post(adminPath(a), edit); r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "done=staged") {
		t.Fatalf("stage: %d %s", r.Status, r.Header.Get("Location"))
	}
	if got := f.article(t, a.ID); got.Headline != a.Headline || !got.HasStaged {
		t.Errorf("after staging, the live version is %q, staged %v", got.Headline, got.HasStaged)
	}
	page := editor.Get(adminPath(a))
	if !strings.Contains(page.Body, "عنوان منقّح بعد النشر") || !strings.Contains(page.Body, "تعديلات لم تُنشر بعد") {
		t.Error("the newsroom does not show the staged update")
	}
	a = f.article(t, a.ID)
	if r := step(editor, a, news.ActionPublishUpdate, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("publish the update: %d %s", r.Status, r.Body)
	}
	if got := f.article(t, a.ID); got.Headline != "عنوان منقّح بعد النشر" || got.HasStaged {
		t.Errorf("after publishing the update: %q, staged %v", got.Headline, got.HasStaged)
	}
}

// TestPlannedTimesNameTheZone: the planning fields say which clock they
// are read on by the zone's Arabic name, not its IANA id.
func TestPlannedTimesNameTheZone(t *testing.T) { storetest.Each(t, testPlannedTimesNameTheZone) }

func testPlannedTimesNameTheZone(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, ed := f.as(t, auth.RoleEditor)
	a := f.articleIn(t, news.StatusReview, 0)
	r := ed.Get(adminPath(a))
	if !strings.Contains(r.Body, "بتوقيت بيروت") || strings.Contains(r.Body, "بتوقيت Asia/Beirut") {
		t.Errorf("the planning fields do not name the zone in Arabic")
	}
}
