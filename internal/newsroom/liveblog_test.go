package newsroom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestLiveBlogNewsroom: editors open and close a live blog; its writer
// posts, corrects and deletes their entries through the form, which
// keeps what it does not show; moderators may not touch it; hostile input
// gets a clear refusal. (Who may do what on whose blog is
// TestLiveBlogRoleMatrix.) (That a correction reaches the article page is internal/app's
// TestLiveBlogCorrectionReachesArticlePage.)
func TestLiveBlogNewsroom(t *testing.T) {
	storetest.Each(t, testLiveBlogNewsroom)
}

func testLiveBlogNewsroom(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	_, editor := f.as(t, auth.RoleEditor)
	wu, writer := f.as(t, auth.RoleWriter)
	a := f.articleIn(t, news.StatusPublished, wu.ID)
	admin := adminPath(a) + "/liveblog"
	_, moderator := f.as(t, auth.RoleModerator)
	entry := func(title, text string) url.Values {
		return url.Values{"title": {title}, "text": {text}, "author": {itoa(f.Authors[0].ID)}}
	}

	if r := writer.Get(adminPath(a)); !strings.Contains(r.Body, `href="`+admin+`"`) {
		t.Error("the article form does not link to its live blog")
	}
	// A writer may not turn their published article into a live blog,
	// nor post to one that is not live.
	if r := writer.Get(admin); r.Status != 200 || !strings.Contains(r.Body, "ليس تغطية مباشرة بعد") || strings.Contains(r.Body, `value="open"`) {
		t.Fatalf("writer, not live: %d", r.Status)
	}
	if r := writer.Post(admin+"/coverage", url.Values{"action": {"open"}}); r.Status != http.StatusForbidden {
		t.Fatalf("writer opens coverage: %d", r.Status)
	}
	if r := writer.Post(admin, entry("x", "y")); r.Status != http.StatusConflict || !strings.Contains(r.Body, "ليس تغطية مباشرة") {
		t.Fatalf("entry on an article that is not live: %d", r.Status)
	}
	if r := editor.Post(admin+"/coverage", url.Values{"action": {"open"}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != admin+"?done=coverage_open" {
		t.Fatalf("editor opens coverage: %d %s", r.Status, r.Header.Get("Location"))
	}

	// A writer posts, corrects and deletes entries.
	r := writer.Post(admin, url.Values{"title": {"وصول الوفد"}, "key": {"on"}, "author": {itoa(f.Authors[1].ID)},
		"text":  {"وصل الوفد إلى <strong>القاعة</strong> <script>alert(1)</script>\r\nالسطر الثاني\r\n\r\nفقرة ثانية"},
		"quote": {"لن نغادر قبل الاتفاق"}, "cite": {"رئيس الوفد"}, "embed": {"https://x.com/khabar/status/1"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != admin+"?done=entry_posted" {
		t.Fatalf("post entry: %d %s", r.Status, r.Body)
	}
	entries, total, _ := s.LiveEntries(ctx, a.ID, 10, 0)
	if total != 1 {
		t.Fatalf("%d entries", total)
	}
	e := entries[0]
	if !e.Key || e.AuthorID != f.Authors[1].ID || len(e.Body) != 4 || e.Body[0].Text != "وصل الوفد إلى <strong>القاعة</strong> <br>السطر الثاني" ||
		e.Body[1].Text != "فقرة ثانية" || e.Body[2].Type != news.BlockQuote || e.Body[3].Type != news.BlockEmbed {
		t.Fatalf("stored entry: %+v", e)
	}
	page := writer.Get(admin + "?done=entry_posted")
	if !strings.Contains(page.Body, "نُشر التحديث") || !strings.Contains(page.Body, "وصول الوفد") {
		t.Error("the newsroom does not list the new entry")
	}
	entryPath := admin + "/" + itoa(e.ID)
	form := writer.Get(entryPath)
	if form.Status != 200 || !strings.Contains(form.Body, "السطر الثاني\n\nفقرة ثانية") || !strings.Contains(form.Body, `name="version" value="1"`) {
		t.Fatalf("edit form: %d", form.Status)
	}
	save := entry("وصول الوفد الرسمي", "نص مصحح")
	save.Set("version", "1")
	if r := writer.Post(entryPath, save); r.Status != http.StatusSeeOther {
		t.Fatalf("save entry: %d %s", r.Status, r.Body)
	}
	if r := writer.Post(entryPath, save); r.Status != http.StatusConflict || !strings.Contains(r.Body, "عدّل شخص آخر") {
		t.Fatalf("stale save: %d", r.Status)
	}
	if got, err := s.LiveEntry(ctx, e.ID); err != nil || got.Title != "وصول الوفد الرسمي" || len(got.Body) != 1 || got.Body[0].Text != "نص مصحح" {
		t.Errorf("the correction is not stored: %+v %v", got, err)
	}

	// Saving a form unchanged keeps the quote leading and the blocks the
	// form does not show. The entry is nobody's, so the desk's to correct.
	rich := &news.LiveEntry{ArticleID: a.ID, Body: []news.Block{{Type: news.BlockQuote, Text: "قول", Cite: "قائل"},
		{Type: news.BlockParagraph, Text: "سياق"}, {Type: news.BlockList, Items: []string{"أ", "ب"}}}}
	if err := s.CreateLiveEntry(ctx, rich); err != nil {
		t.Fatal(err)
	}
	richPath := admin + "/" + itoa(rich.ID)
	if r := writer.Get(admin); strings.Contains(r.Body, `href="`+richPath+`"`) || !strings.Contains(r.Body, `href="`+entryPath+`"`) {
		t.Error("the writer's list of entries does not offer to correct exactly their own")
	}
	if r := editor.Get(richPath); !strings.Contains(r.Body, `name="quote_first" value="on"`) || !strings.Contains(r.Body, "كتل أخرى في هذا التحديث تبقى كما هي: 1") {
		t.Error("the form of an entry led by a quote, with a list, does not say so")
	}
	same := url.Values{"text": {"سياق"}, "quote": {"قول"}, "cite": {"قائل"}, "quote_first": {"on"}, "version": {"1"}}
	if r := editor.Post(richPath, same); r.Status != http.StatusSeeOther {
		t.Fatalf("save unchanged: %d", r.Status)
	}
	if got, _ := s.LiveEntry(ctx, rich.ID); len(got.Body) != 3 || got.Body[0].Type != news.BlockQuote || got.Body[1].Text != "سياق" || got.Body[2].Type != news.BlockList {
		t.Errorf("an unchanged save changed the entry: %+v", got.Body)
	}
	if err := s.DeleteLiveEntry(ctx, a.ID, rich.ID); err != nil {
		t.Fatal(err)
	}

	// Moderators may not touch entries.
	for _, c := range []struct{ method, path string }{{"GET", admin}, {"POST", admin}, {"GET", entryPath}, {"POST", entryPath}, {"POST", entryPath + "/delete"}, {"POST", admin + "/coverage"}} {
		if r := moderator.Form(c.method, c.path, entry("x", "y")); r.Status != http.StatusForbidden {
			t.Errorf("moderator %s %s: %d", c.method, c.path, r.Status)
		}
	}

	// Hostile input: clear errors, never a 500.
	otherAdmin := adminPath(f.articleIn(t, news.StatusPublished, 0)) + "/liveblog"
	withVersion := func(v url.Values) url.Values { v.Set("version", "2"); return v }
	cases := []struct {
		name, path string
		form       url.Values
		hdr        http.Header
		status     int
		says       string
	}{
		{"empty", admin, url.Values{"text": {"  "}}, nil, 422, "التحديث فارغ"},
		{"only tags", admin, url.Values{"text": {"<script>alert(1)</script>"}}, nil, 422, "إحدى الكتل فارغة"},
		{"huge", admin, entry("", strings.Repeat(strings.Repeat("خبر عاجل ", 450)+"\n\n", 3)), nil, 422, "التحديث أطول من المسموح"},
		{"huge block", admin, entry("", strings.Repeat("خبر عاجل ", 3000)), nil, 422, "إحدى الكتل أطول من المسموح"},
		{"title too long", admin, entry(strings.Repeat("ع", 201), "x"), nil, 422, "النص أطول من المسموح"},
		{"bad embed", admin, url.Values{"text": {"x"}, "embed": {"javascript:alert(1)"}}, nil, 422, "رابط المحتوى المضمَّن غير مدعوم"},
		{"bad media", admin, url.Values{"text": {"x"}, "media": {"abc"}}, nil, 422, "قيمة غير معروفة"},
		{"missing media", admin, url.Values{"text": {"x"}, "media": {"987654"}}, nil, 422, "اختر صورة"},
		{"unknown author", admin, url.Values{"text": {"x"}, "author": {"987654"}}, nil, 422, "غير موجودة"},
		{"forged article", "/admin/articles/987654/liveblog", entry("x", "y"), nil, 404, ""},
		{"article zero", "/admin/articles/0/liveblog", entry("x", "y"), nil, 404, ""},
		{"entry of another article", otherAdmin + "/" + itoa(e.ID), withVersion(entry("x", "y")), nil, 404, ""},
		{"delete through another article", otherAdmin + "/" + itoa(e.ID) + "/delete", nil, nil, 404, ""},
		{"entry not a number", admin + "/abc", withVersion(entry("x", "y")), nil, 404, ""},
		{"no version", entryPath, entry("x", "y"), nil, 400, ""},
		{"bad coverage action", admin + "/coverage", url.Values{"action": {"explode"}}, nil, 400, ""},
		{"cross-site post", admin, entry("مزور", "مزور"), crossSite, 403, ""},
		{"cross-site delete", entryPath + "/delete", url.Values{}, crossSite, 403, ""},
		{"cross-site close", admin + "/coverage", url.Values{"action": {"close"}}, crossSite, 403, ""},
	}
	for _, c := range cases {
		r := send(editor, "POST", c.path, c.form, c.hdr)
		if r.Status != c.status || c.says != "" && !strings.Contains(r.Body, c.says) {
			t.Errorf("%s: %d, want %d with %q", c.name, r.Status, c.status, c.says)
		}
	}
	if r := editor.Post(admin, url.Values{"text": {strings.Repeat("x", 3<<20)}}); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 3 MB entry: %d", r.Status)
	}
	for _, p := range []string{admin + "?page=0", admin + "?page=x"} {
		if r := editor.Get(p); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	if _, total, _ := s.LiveEntries(ctx, a.ID, 10, 0); total != 1 {
		t.Fatalf("hostile posts left %d entries", total)
	}

	// Closing: no new entries, the form is gone; corrections still work.
	if r := editor.Post(admin+"/coverage", url.Values{"action": {"close"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	if r := editor.Get(admin); !strings.Contains(r.Body, "انتهت التغطية في") || strings.Contains(r.Body, `name="text"`) || !strings.Contains(r.Body, "استئناف التغطية") {
		t.Error("a closed live blog still offers the entry form, or no way to resume")
	}
	if r := writer.Post(admin, entry("متأخر", "نص")); r.Status != http.StatusConflict || !strings.Contains(r.Body, "انتهت التغطية؛") {
		t.Fatalf("entry after closing: %d", r.Status)
	}
	if r := writer.Post(entryPath+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.Status)
	}
	if r := writer.Post(entryPath+"/delete", url.Values{}); r.Status != http.StatusNotFound {
		t.Fatalf("delete twice: %d", r.Status)
	}
}

// TestLiveBlogRoleMatrix takes every live-blog action as every role, on
// the acting user's blog or a colleague's, on their own entry or a
// colleague's: what the rules allow (news.Article.LivePostableBy,
// CoverableBy, news.LiveEntry.ChangeableBy) goes through, the rest is
// refused with 403 and changes nothing.
func TestLiveBlogRoleMatrix(t *testing.T) {
	storetest.Each(t, testLiveBlogRoleMatrix)
}

func testLiveBlogRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	type client struct {
		*storetest.Client
		u      *auth.User
		byline news.Author
	}
	clients := map[auth.Role]client{}
	for _, role := range auth.Roles {
		u, c := f.as(t, role)
		au, err := s.AuthorOfUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		clients[role] = client{c, u, *au}
	}
	colleague, _ := f.as(t, auth.RoleWriter)
	writers := map[auth.Role]bool{auth.RoleAdmin: true, auth.RoleEditor: true, auth.RoleWriter: true}
	editors := map[auth.Role]bool{auth.RoleAdmin: true, auth.RoleEditor: true}
	const (
		theirs   = iota // the acting user made the article
		credited        // someone else made it; the acting user is on its byline
		others          // a colleague's article
	)
	post := func(c *storetest.Client, a *news.Article, _ *news.LiveEntry) storetest.Response {
		return c.Post(adminPath(a)+"/liveblog", url.Values{"text": {"تحديث جديد"}})
	}
	correct := func(c *storetest.Client, a *news.Article, e *news.LiveEntry) storetest.Response {
		return c.Post(adminPath(a)+"/liveblog/"+itoa(e.ID), url.Values{"text": {"تصحيح"}, "version": {itoa(e.Version)}})
	}
	openForm := func(c *storetest.Client, a *news.Article, e *news.LiveEntry) storetest.Response {
		return c.Get(adminPath(a) + "/liveblog/" + itoa(e.ID))
	}
	remove := func(c *storetest.Client, a *news.Article, e *news.LiveEntry) storetest.Response {
		return c.Post(adminPath(a)+"/liveblog/"+itoa(e.ID)+"/delete", url.Values{})
	}
	coverage := func(action string) func(*storetest.Client, *news.Article, *news.LiveEntry) storetest.Response {
		return func(c *storetest.Client, a *news.Article, _ *news.LiveEntry) storetest.Response {
			return c.Post(adminPath(a)+"/liveblog/coverage", url.Values{"action": {action}})
		}
	}
	cases := []struct {
		name     string
		state    news.Status
		article  int  // theirs, credited or others
		live     bool // coverage open
		ownEntry bool // the entry acted on was posted by the acting user
		do       func(c *storetest.Client, a *news.Article, e *news.LiveEntry) storetest.Response
		ok       int
		allowed  map[auth.Role]bool
		refused  int // the status of a refusal by the rules, to a role with PermWrite
	}{
		{"post on own live blog", news.StatusPublished, theirs, true, false, post, 303, writers, 403},
		{"post on a live blog they are credited on", news.StatusPublished, credited, true, false, post, 303, writers, 403},
		{"post on a colleague's live blog", news.StatusPublished, others, true, false, post, 303, editors, 403},
		{"correct own entry", news.StatusPublished, theirs, true, true, correct, 303, writers, 403},
		{"open the form of own entry", news.StatusPublished, theirs, true, true, openForm, 200, writers, 403},
		{"delete own entry", news.StatusPublished, credited, true, true, remove, 303, writers, 403},
		{"correct a colleague's entry on own blog", news.StatusPublished, theirs, true, false, correct, 303, editors, 403},
		{"open the form of a colleague's entry", news.StatusPublished, theirs, true, false, openForm, 200, editors, 403},
		{"delete a colleague's entry on own blog", news.StatusPublished, theirs, true, false, remove, 303, editors, 403},
		{"correct own entry on a blog no longer theirs", news.StatusPublished, others, true, true, correct, 303, editors, 403},
		{"delete an entry on a colleague's blog", news.StatusPublished, others, true, false, remove, 303, editors, 403},
		{"open coverage on own draft", news.StatusDraft, theirs, false, false, coverage("open"), 303, writers, 403},
		{"open coverage on a colleague's draft", news.StatusDraft, others, false, false, coverage("open"), 303, editors, 403},
		{"open coverage on own submitted article", news.StatusReview, theirs, false, false, coverage("open"), 303, editors, http.StatusConflict},
		{"open coverage on own published article", news.StatusPublished, theirs, false, false, coverage("open"), 303, editors, 403},
		{"close coverage of own live blog", news.StatusPublished, theirs, true, false, coverage("close"), 303, editors, 403},
		{"close coverage of a colleague's draft", news.StatusDraft, others, true, false, coverage("close"), 303, editors, 403},
	}
	for _, c := range cases {
		for _, role := range auth.Roles {
			cl := clients[role]
			var a *news.Article
			switch c.article {
			case theirs:
				a = f.articleIn(t, c.state, cl.u.ID)
			case credited:
				a = f.articleIn(t, c.state, colleague.ID, cl.byline)
			default:
				a = f.articleIn(t, c.state, colleague.ID)
			}
			poster := colleague.ID
			if c.ownEntry {
				poster = cl.u.ID
			}
			var e *news.LiveEntry
			if c.live {
				if err := s.SetLiveCoverage(ctx, a.ID, true); err != nil {
					t.Fatal(err)
				}
				e = &news.LiveEntry{ArticleID: a.ID, Title: "تحديث", CreatedBy: poster}
				if err := s.CreateLiveEntry(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			before := f.liveState(t, a.ID)
			r := c.do(cl.Client, a, e)
			want := http.StatusForbidden
			switch {
			case c.allowed[role]:
				want = c.ok
			case role.Can(auth.PermWrite):
				want = c.refused
			}
			if r.Status != want {
				t.Errorf("%s as %s: %d, want %d", c.name, role, r.Status, want)
			}
			if changed := f.liveState(t, a.ID) != before; !c.allowed[role] && changed {
				t.Errorf("%s as %s: refused, but the live blog changed", c.name, role)
			}
		}
	}
}

// liveState is an article's live flag, coverage and entries, printed: a
// refused request must leave it as it was.
func (f *fixture) liveState(t *testing.T, articleID int64) string {
	t.Helper()
	ctx := context.Background()
	a, blog, err := f.store.LiveBlogOf(ctx, articleID)
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := f.store.LiveEntries(ctx, articleID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%v %+v %+v", a.Live, blog, entries)
}
