package app

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// autosaved is the JSON answer of an autosave.
type autosaved struct {
	ID      int64             `json:"id"`
	Version int64             `json:"version"`
	URL     string            `json:"url"`
	Message string            `json:"message"`
	Seen    int64             `json:"seen"`
	Error   string            `json:"error"`
	Fields  map[string]string `json:"fields"`
}

func decodeAutosave(t *testing.T, r resp) autosaved {
	t.Helper()
	var a autosaved
	if err := json.Unmarshal([]byte(r.body), &a); err != nil {
		t.Fatalf("autosave answer %d is not JSON: %v\n%s", r.status, err, r.body)
	}
	return a
}

// presence is the answer to an editor page's heartbeat.
type presence struct {
	Locked bool   `json:"locked"`
	HTML   string `json:"html"`
	Seen   int64  `json:"seen"`
}

// heartbeat posts the page's heartbeat for a, as a page with changes
// (editing) or one only read.
func heartbeat(t *testing.T, c *node, a *news.Article, editing bool) presence {
	t.Helper()
	form := url.Values{}
	if editing {
		form.Set("editing", "1")
	}
	r := c.do(t, "POST", "/admin/articles/"+id(a)+"/presence", form, nil)
	var p presence
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &p) != nil {
		t.Fatalf("presence: %d %s", r.status, r.body)
	}
	return p
}

// presenceOf tells whether the poster of a heartbeat is locked out, and
// the notice their page shows.
func presenceOf(t *testing.T, c *node, a *news.Article) (bool, string) {
	t.Helper()
	p := heartbeat(t, c, a, false)
	return p.Locked, p.HTML
}

// TestEditLockAndAutosave: opening an article locks nothing; the first
// to change it holds it, the next sees who and cannot save over them, an
// editor takes over (audited) and the writer's page learns it; autosaves
// keep no revision, make a new article a draft, and refuse what a save
// would refuse, as JSON.
func TestEditLockAndAutosave(t *testing.T) {
	backends(t, func(t *testing.T, n *node) {
		ctx := context.Background()
		writer, wid := loginAs(t, n, auth.RoleWriter)
		editor, _ := loginAs(t, n, auth.RoleEditor)
		a := articleIn(t, n, news.StatusDraft, wid)
		base := "/admin/articles/" + id(a)
		revisions := func() int {
			t.Helper()
			list, err := n.Store.Revisions(ctx, a.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}

		if r := writer.get(t, base); r.status != http.StatusOK || strings.Contains(r.body, "يحرّر هذا الخبر الآن") {
			t.Fatalf("writer opens the draft: %d, notice shown to its holder", r.status)
		}
		if r := editor.get(t, base); r.status != http.StatusOK || strings.Contains(r.body, "يحرّر هذا الخبر الآن") || !strings.Contains(r.body, "<bdi>مستخدم writer</bdi>") {
			t.Fatalf("an editor reading the draft: %d, or not told the writer has it open", r.status)
		}
		// The writer starts typing: their page's heartbeat claims the lock.
		if p := heartbeat(t, writer, a, true); p.Locked {
			t.Fatal("the writer could not claim a free lock")
		}
		if desk := editor.get(t, "/admin/"); !strings.Contains(desk.body, "يحرّره الآن: <bdi>مستخدم writer</bdi>") {
			t.Error("the desk does not say who is editing the draft")
		}
		r := editor.get(t, base)
		if r.status != http.StatusOK || !strings.Contains(r.body, "يحرّر هذا الخبر الآن") || !strings.Contains(r.body, "<bdi>مستخدم writer</bdi>") ||
			!strings.Contains(r.body, `action="`+base+`/lock"`) {
			t.Fatalf("editor opening a held article is not told who holds it: %d\n%s", r.status, r.body)
		}
		// The holder's page names the editor who also has it open.
		if locked, html := presenceOf(t, writer, a); locked || !strings.Contains(html, "يفتح هذا الخبر أيضًا") || !strings.Contains(html, "<bdi>مستخدم editor</bdi>") {
			t.Errorf("writer's heartbeat: locked %v, %s", locked, html)
		}

		// The editor cannot save over the holder; the page keeps what was typed.
		form := articleForm(a, "save")
		form.Set("headline", "عنوان كتبه المحرر")
		if r := editor.do(t, "POST", base, form, nil); r.status != http.StatusConflict || !strings.Contains(r.body, "يحرّر هذا الخبر شخص آخر") || !strings.Contains(r.body, "عنوان كتبه المحرر") {
			t.Fatalf("save under someone else's lock: %d", r.status)
		}
		if r := editor.do(t, "POST", base+"/autosave", form, nil); r.status != http.StatusConflict || decodeAutosave(t, r).Error == "" {
			t.Fatalf("autosave under someone else's lock: %d %s", r.status, r.body)
		}
		if got := n.article(t, a.ID); got.Headline != a.Headline || got.Version != a.Version {
			t.Fatalf("a refused save changed the article: %q v%d", got.Headline, got.Version)
		}

		// The holder's autosave keeps no revision; the explicit save does.
		before := revisions()
		form = articleForm(a, "")
		form.Del("action")
		form.Set("headline", "عنوان حُفظ تلقائيًا")
		r = writer.do(t, "POST", base+"/autosave", form, nil)
		saved := decodeAutosave(t, r)
		if r.status != http.StatusOK || saved.Version != a.Version+1 || saved.ID != a.ID || !strings.Contains(saved.Message, "تلقائيًا") {
			t.Fatalf("autosave: %d %+v", r.status, saved)
		}
		if got := n.article(t, a.ID); got.Headline != "عنوان حُفظ تلقائيًا" || revisions() != before {
			t.Fatalf("after autosave: %q, %d revisions (were %d)", got.Headline, revisions(), before)
		}
		form.Set("version", strconv.FormatInt(saved.Version, 10))
		form.Set("action", "save")
		if r := writer.do(t, "POST", base, form, nil); r.status != http.StatusSeeOther || revisions() != before+1 {
			t.Fatalf("explicit save after an autosave: %d, %d revisions", r.status, revisions())
		}
		a = n.article(t, a.ID)

		// Only editors take over; the takeover is audited and the writer's
		// page learns it at its next heartbeat.
		if r := writer.do(t, "POST", base+"/lock", url.Values{}, nil); r.status != http.StatusForbidden {
			t.Errorf("writer taking over: %d", r.status)
		}
		if r := editor.do(t, "POST", base+"/lock", url.Values{}, nil); r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "?done=taken") {
			t.Fatalf("takeover: %d %s", r.status, r.header.Get("Location"))
		}
		log, err := n.Store.AuditLog(ctx, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 0 || log[0].Action != "article.takeover" || log[0].Detail != "مستخدم writer" || log[0].Target != "article "+id(a) {
			t.Errorf("audit after takeover: %+v", log)
		}
		if locked, html := presenceOf(t, writer, a); !locked || !strings.Contains(html, "<bdi>مستخدم editor</bdi>") || strings.Contains(html, "/lock") {
			t.Errorf("writer after the takeover: locked %v, %s", locked, html)
		}
		form = articleForm(a, "save")
		if r := writer.do(t, "POST", base+"/autosave", form, nil); r.status != http.StatusConflict {
			t.Errorf("writer's autosave after the takeover: %d", r.status)
		}
		revs, err := n.Store.Revisions(ctx, a.ID, 1)
		if err != nil || len(revs) == 0 {
			t.Fatal(revs, err)
		}
		restore := base + "/revisions/" + strconv.FormatInt(revs[0].ID, 10) + "/restore"
		if r := writer.do(t, "POST", restore, url.Values{"version": {strconv.FormatInt(a.Version, 10)}}, nil); r.status != http.StatusConflict {
			t.Errorf("writer restoring a revision after the takeover: %d", r.status)
		}
		if r := editor.do(t, "POST", base, articleForm(a, "save"), nil); r.status != http.StatusSeeOther {
			t.Fatalf("editor's save after the takeover: %d", r.status)
		}

		// Leaving frees the lock at once, unless the page saying goodbye
		// is older than the holder's last sign of life (a reload).
		seen := heartbeat(t, editor, a, false).Seen
		if r := editor.do(t, "POST", base+"/leave", url.Values{"seen": {strconv.FormatInt(seen-1, 10)}}, nil); r.status != http.StatusNoContent {
			t.Fatalf("late leave: %d", r.status)
		}
		if locked, _ := presenceOf(t, writer, a); !locked {
			t.Error("a late goodbye freed the lock")
		}
		if r := editor.do(t, "POST", base+"/leave", url.Values{"seen": {strconv.FormatInt(seen, 10)}}, nil); r.status != http.StatusNoContent {
			t.Fatalf("leave: %d", r.status)
		}
		if locked, _ := presenceOf(t, writer, a); locked {
			t.Error("the lock was not free after its holder left")
		}

		// A new article becomes a draft at its first autosave, without a
		// revision; without a headline it is refused field by field.
		sec := strconv.FormatInt(a.SectionID, 10)
		fresh := url.Values{"headline": {"مسودة بدأت للتو"}, "section": {sec}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"سطر أول"}}
		r = writer.do(t, "POST", "/admin/articles/new/autosave", fresh, nil)
		made := decodeAutosave(t, r)
		if r.status != http.StatusOK || made.ID == 0 || made.URL != "/admin/articles/"+strconv.FormatInt(made.ID, 10) {
			t.Fatalf("first autosave of a new article: %d %+v", r.status, made)
		}
		if got := n.article(t, made.ID); got.Status != news.StatusDraft || got.CreatedBy != wid {
			t.Errorf("autosaved draft: %s by %d", got.Status, got.CreatedBy)
		}
		if list, err := n.Store.Revisions(ctx, made.ID, 10); err != nil || len(list) != 0 {
			t.Errorf("autosaved draft has %d revisions (%v)", len(list), err)
		}
		if locked, _ := presenceOf(t, editor, &news.Article{ID: made.ID}); !locked {
			t.Error("the writer does not hold the draft their autosave made")
		}
		// Submitting hands the draft to the editors: the writer's lock goes.
		submit := url.Values{"headline": {"مسودة بدأت للتو"}, "section": {sec}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"سطر أول"},
			"version": {strconv.FormatInt(made.Version, 10)}, "action": {"submit"}}
		if r := writer.do(t, "POST", made.URL, submit, nil); r.status != http.StatusSeeOther {
			t.Fatalf("submit the autosaved draft: %d", r.status)
		}
		if p := heartbeat(t, editor, &news.Article{ID: made.ID}, true); p.Locked {
			t.Error("the writer still holds the draft they submitted")
		}
		fresh.Set("headline", " ")
		r = writer.do(t, "POST", "/admin/articles/new/autosave", fresh, nil)
		if bad := decodeAutosave(t, r); r.status != http.StatusUnprocessableEntity || bad.Fields["headline"] == "" || bad.Error == "" {
			t.Errorf("autosave without a headline: %d %+v", r.status, bad)
		}
	})
}

// TestEditingBadRequests: hostile or broken requests to the editing
// endpoints get a clear status and change nothing.
func TestEditingBadRequests(t *testing.T) {
	n := startNode(t, "")
	writer, wid := loginAs(t, n, auth.RoleWriter)
	moderator := asRole(t, n, auth.RoleModerator)
	other := articleIn(t, n, news.StatusDraft, 0)
	mine := articleIn(t, n, news.StatusDraft, wid)
	submitted := articleIn(t, n, news.StatusReview, wid)
	noVersion := articleForm(mine, "")
	noVersion.Del("version")
	cases := []struct {
		name   string
		c      *node
		path   string
		form   url.Values
		hdr    map[string]string
		status int
	}{
		{"autosave without a version", writer, "/admin/articles/" + id(mine) + "/autosave", noVersion, nil, http.StatusBadRequest},
		{"autosave of a stale version", writer, "/admin/articles/" + id(mine) + "/autosave", articleForm(&news.Article{ID: mine.ID, Version: mine.Version + 5, SectionID: mine.SectionID}, ""), nil, http.StatusConflict},
		{"autosave of a missing article", writer, "/admin/articles/999999/autosave", articleForm(mine, ""), nil, http.StatusNotFound},
		{"autosave of someone else's draft", writer, "/admin/articles/" + id(other) + "/autosave", articleForm(other, ""), nil, http.StatusForbidden},
		{"autosave of a draft submitted since", writer, "/admin/articles/" + id(submitted) + "/autosave", articleForm(submitted, ""), nil, http.StatusConflict},
		{"autosave of a body too large", writer, "/admin/articles/" + id(mine) + "/autosave", url.Values{"blocks": {"1"}, "version": {"1"}, "b0_text": {strings.Repeat("ن", 6<<20)}}, nil, http.StatusRequestEntityTooLarge},
		{"autosave by a moderator", moderator, "/admin/articles/" + id(mine) + "/autosave", articleForm(mine, ""), nil, http.StatusForbidden},
		{"cross-site autosave", writer, "/admin/articles/" + id(mine) + "/autosave", articleForm(mine, ""), map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"presence of a missing article", writer, "/admin/articles/999999/presence", url.Values{}, nil, http.StatusNotFound},
		{"presence with a bad id", writer, "/admin/articles/x1/presence", url.Values{}, nil, http.StatusNotFound},
		{"leave with a bad id", writer, "/admin/articles/-3/leave", url.Values{"seen": {"1"}}, nil, http.StatusNotFound},
		{"leave without seen", writer, "/admin/articles/" + id(mine) + "/leave", url.Values{}, nil, http.StatusBadRequest},
		{"leave with a bad seen", writer, "/admin/articles/" + id(mine) + "/leave", url.Values{"seen": {"yesterday"}}, nil, http.StatusBadRequest},
		{"takeover of a missing article", asRole(t, n, auth.RoleEditor), "/admin/articles/999999/lock", url.Values{}, nil, http.StatusNotFound},
		{"cross-site leave", writer, "/admin/articles/" + id(mine) + "/leave", url.Values{"seen": {"1"}}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The page's script asks for JSON, and shows the answer's
			// error: a refusal must say why, not send a page.
			script := strings.HasSuffix(tc.path, "/autosave")
			hdr := map[string]string{}
			if script {
				hdr["Accept"] = "application/json"
			}
			maps.Copy(hdr, tc.hdr)
			r := tc.c.do(t, "POST", tc.path, tc.form, hdr)
			if r.status != tc.status {
				t.Errorf("%d, want %d\n%.300s", r.status, tc.status, r.body)
			}
			if script && decodeAutosave(t, r).Error == "" {
				t.Errorf("no error in %s", r.body)
			}
		})
	}
	for _, a := range []*news.Article{mine, other, submitted} {
		if got := n.article(t, a.ID); got.Version != a.Version || got.Headline != a.Headline {
			t.Errorf("article %d changed: v%d %q", a.ID, got.Version, got.Headline)
		}
	}
}

// TestEditingRoleMatrix takes every editing route as every role, on a
// draft nobody in the test owns: editors and admins may do all of it
// (autosave, heartbeat, leave, take over, delete), writers may only be
// counted in (and leave), moderators nothing.
func TestEditingRoleMatrix(t *testing.T) {
	n := startNode(t, "")
	roles := []auth.Role{auth.RoleAdmin, auth.RoleEditor, auth.RoleWriter, auth.RoleModerator}
	want := map[string][]int{ // by route, in the order of roles
		"autosave": {200, 200, 403, 403},
		"presence": {200, 200, 200, 403},
		"leave":    {204, 204, 204, 403},
		"lock":     {303, 303, 403, 403},
		"delete":   {303, 303, 403, 403},
	}
	for i, role := range roles {
		c := asRole(t, n, role)
		for route, statuses := range want {
			a := articleIn(t, n, news.StatusDraft, 0)
			form := url.Values{"seen": {"1"}, "version": {strconv.FormatInt(a.Version, 10)}, "confirm": {"1"}}
			if route == "autosave" {
				form = articleForm(a, "")
			}
			if r := c.do(t, "POST", "/admin/articles/"+id(a)+"/"+route, form, nil); r.status != statuses[i] {
				t.Errorf("%s %s: %d, want %d", role, route, r.status, statuses[i])
			}
		}
	}
}

// TestArticleFormHostileInput posts what issue 3 names as bad input to the
// article form and to its autosave, for a new article and a stored one:
// each is refused with a clear message (an Arabic page, or JSON naming the
// field), and nothing is stored.
func TestArticleFormHostileInput(t *testing.T) {
	n := startNode(t, "")
	writer, wid := loginAs(t, n, auth.RoleWriter)
	a := articleIn(t, n, news.StatusDraft, wid)
	ctx := context.Background()
	count := func() int {
		t.Helper()
		list, err := n.Store.ListArticles(ctx, store.AdminFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	before := count()
	sec := strconv.FormatInt(a.SectionID, 10)
	form := func(mod func(url.Values)) url.Values {
		f := url.Values{"headline": {"عنوان"}, "section": {sec}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"فقرة"}}
		mod(f)
		return f
	}
	paragraphs := func(count, n int) func(url.Values) {
		return func(f url.Values) {
			f.Set("blocks", strconv.Itoa(count))
			for i := range n {
				f.Set("b"+strconv.Itoa(i)+"_type", "paragraph")
				f.Set("b"+strconv.Itoa(i)+"_text", "فقرة")
			}
		}
	}
	cases := []struct {
		name   string
		mod    func(url.Values)
		status int
		says   string // in the page, and in the autosave's JSON
		field  string // the autosave's field, if any
	}{
		{"a headline of 10,000 letters", func(f url.Values) { f.Set("headline", strings.Repeat("ع", 10000)) }, 422, "أطول من المسموح", "headline"},
		{"a body of 100,000 paragraphs", paragraphs(100000, 100000), 413, "", ""},
		{"100,000 blocks announced, 600 sent", paragraphs(100000, 600), 422, "عدد الكتل أكبر من المسموح", "body"},
		{"an unknown block type", func(f url.Values) { f.Set("b0_type", "marquee") }, 422, "", "body"},
		{"a negative block count", func(f url.Values) { f.Set("blocks", "-1") }, 400, "", ""},
		{"a forged section", func(f url.Values) { f.Set("section", "1 OR 1=1") }, 422, "", "section"},
		{"a forged version", func(f url.Values) { f.Set("version", "-") }, 422, "", "version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/admin/articles/new", "/admin/articles/" + id(a)} {
				f := form(c.mod)
				if strings.HasSuffix(path, id(a)) && !f.Has("version") {
					f.Set("version", strconv.FormatInt(a.Version, 10))
				}
				f.Set("action", "save")
				r := writer.do(t, "POST", path, f, nil)
				if r.status != c.status || !strings.Contains(r.body, c.says) || !strings.Contains(r.body, `lang="ar"`) {
					t.Errorf("save %s: %d, want %d with %q", path, r.status, c.status, c.says)
				}
				f.Del("action")
				r = writer.do(t, "POST", path+"/autosave", f, nil)
				if r.status != c.status {
					t.Errorf("autosave %s: %d, want %d", path, r.status, c.status)
				}
				if c.field != "" {
					if got := decodeAutosave(t, r); got.Fields[c.field] == "" || got.Error == "" || !strings.Contains(got.Fields[c.field]+got.Error, c.says) {
						t.Errorf("autosave %s: %+v, want field %s with %q", path, got, c.field, c.says)
					}
				}
			}
		})
	}
	if got := count(); got != before {
		t.Errorf("%d articles stored by refused forms", got-before)
	}
	if got := n.article(t, a.ID); got.Version != a.Version || got.Headline != a.Headline {
		t.Errorf("the stored article changed: v%d %q", got.Version, got.Headline)
	}
}

// TestDeleteArticle: what readers never saw is deleted after a
// confirmation, by its writer or an editor; a live article, a stale
// version, someone else's draft or lock, and forged input are refused.
func TestDeleteArticle(t *testing.T) {
	n := startNode(t, "")
	writer, wid := loginAs(t, n, auth.RoleWriter)
	editor, _ := loginAs(t, n, auth.RoleEditor)
	moderator := asRole(t, n, auth.RoleModerator)
	del := func(c *node, a *news.Article, confirm bool, version int64) resp {
		t.Helper()
		f := url.Values{"version": {strconv.FormatInt(version, 10)}}
		if confirm {
			f.Set("confirm", "1")
		}
		return c.do(t, "POST", "/admin/articles/"+id(a)+"/delete", f, nil)
	}
	gone := func(a *news.Article) bool {
		_, err := n.Store.GetArticle(context.Background(), a.ID)
		return err != nil
	}

	mine := articleIn(t, n, news.StatusDraft, wid)
	if page := writer.get(t, "/admin/articles/"+id(mine)); !strings.Contains(page.body, `action="/admin/articles/`+id(mine)+`/delete"`) {
		t.Error("a writer's draft offers no delete button")
	}
	r := del(writer, mine, false, mine.Version)
	if r.status != http.StatusOK || !strings.Contains(r.body, "هل تحذف هذا الخبر نهائيًا؟") || !strings.Contains(r.body, mine.Headline) || gone(mine) {
		t.Fatalf("delete asks first: %d, deleted %v", r.status, gone(mine))
	}
	if r := del(writer, mine, true, mine.Version+1); r.status != http.StatusConflict || gone(mine) {
		t.Errorf("stale delete: %d", r.status)
	}
	if r := del(writer, mine, true, mine.Version); r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/?done=deleted" || !gone(mine) {
		t.Fatalf("writer deletes their draft: %d %s", r.status, r.header.Get("Location"))
	}
	if desk := writer.get(t, "/admin/?done=deleted"); !strings.Contains(desk.body, "حُذف الخبر") {
		t.Error("no notice after deleting")
	}
	if r := del(writer, mine, true, mine.Version); r.status != http.StatusNotFound {
		t.Errorf("deleting twice: %d", r.status)
	}

	theirs := articleIn(t, n, news.StatusDraft, 0)
	for name, c := range map[string]*node{"writer": writer, "moderator": moderator} {
		if r := del(c, theirs, true, theirs.Version); r.status != http.StatusForbidden || gone(theirs) {
			t.Errorf("%s deletes someone else's draft: %d", name, r.status)
		}
	}
	// Someone else holds the draft: the delete waits, like a save.
	if p := heartbeat(t, writer, theirs, false); p.Locked {
		t.Fatal("watching locked the draft")
	}
	if _, err := n.Store.EnterArticle(context.Background(), theirs.ID, news.Actor{UserID: wid, Name: "مستخدم writer"}, store.TakeOver, time.Minute); err != nil {
		t.Fatal(err)
	}
	if r := del(editor, theirs, true, theirs.Version); r.status != http.StatusConflict || gone(theirs) {
		t.Errorf("delete under someone else's lock: %d", r.status)
	}
	if err := n.Store.LeaveArticle(context.Background(), theirs.ID, wid, time.Now()); err != nil {
		t.Fatal(err)
	}
	if r := del(editor, theirs, true, theirs.Version); r.status != http.StatusSeeOther || !gone(theirs) {
		t.Errorf("editor deletes a draft: %d", r.status)
	}
	review := articleIn(t, n, news.StatusReview, wid)
	if r := del(editor, review, true, review.Version); r.status != http.StatusSeeOther || !gone(review) {
		t.Errorf("editor deletes an article awaiting review: %d", r.status)
	}

	live := articleIn(t, n, news.StatusPublished, 0)
	if page := editor.get(t, "/admin/articles/"+id(live)); strings.Contains(page.body, "/delete") {
		t.Error("a published article offers a delete button")
	}
	if r := del(editor, live, true, live.Version); r.status != http.StatusConflict || !strings.Contains(r.body, "لا يمكن «احذف»") || gone(live) {
		t.Errorf("delete a published article: %d", r.status)
	}
	for name, f := range map[string]url.Values{"no version": {"confirm": {"1"}}, "bad version": {"version": {"x"}, "confirm": {"1"}}} {
		if r := editor.do(t, "POST", "/admin/articles/"+id(live)+"/delete", f, nil); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d", name, r.status)
		}
	}
	if r := editor.do(t, "POST", "/admin/articles/abc/delete", url.Values{"version": {"1"}}, nil); r.status != http.StatusNotFound {
		t.Errorf("bad id: %d", r.status)
	}
}

// TestEditingLeaveAfterAutosave: an autosave is the page's latest sign of
// life, so its answer says when the server heard it and the goodbye that
// quotes it frees the lock at once, as after a heartbeat.
func TestEditingLeaveAfterAutosave(t *testing.T) {
	n := startNode(t, "")
	writer, wid := loginAs(t, n, auth.RoleWriter)
	editor, _ := loginAs(t, n, auth.RoleEditor)
	a := articleIn(t, n, news.StatusDraft, wid)
	base := "/admin/articles/" + id(a)
	heartbeat(t, writer, a, true)
	form := articleForm(a, "")
	form.Del("action")
	form.Set("headline", "عنوان قبل إغلاق الصفحة")
	r := writer.do(t, "POST", base+"/autosave", form, nil)
	saved := decodeAutosave(t, r)
	if r.status != http.StatusOK || saved.Seen == 0 {
		t.Fatalf("autosave: %d, seen %d", r.status, saved.Seen)
	}
	if r := writer.do(t, "POST", base+"/leave", url.Values{"seen": {strconv.FormatInt(saved.Seen, 10)}}, nil); r.status != http.StatusNoContent {
		t.Fatalf("leave: %d", r.status)
	}
	if locked, _ := presenceOf(t, editor, a); locked {
		t.Error("the writer still holds the draft after leaving the page that autosaved it")
	}
}

// TestAutosaveOfALiveArticle: autosaving a published article stages the
// update, and the page is told readers still see the published version.
func TestAutosaveOfALiveArticle(t *testing.T) {
	n := startNode(t, "")
	editor, _ := loginAs(t, n, auth.RoleEditor)
	live := articleIn(t, n, news.StatusPublished, 0)
	f := articleForm(live, "")
	f.Del("action")
	r := editor.do(t, "POST", "/admin/articles/"+id(live)+"/autosave", f, nil)
	if got := decodeAutosave(t, r); r.status != http.StatusOK || !strings.Contains(got.Message, "لم يُنشر بعد") {
		t.Fatalf("autosave of a live article: %d %+v", r.status, got)
	}
	if got := n.article(t, live.ID); got.Headline != live.Headline || !got.HasStaged {
		t.Errorf("live article after autosave: %q, staged %v", got.Headline, got.HasStaged)
	}
}

// TestStaleSaveAfterAutosaveShowsOnlyTheirs: a save refused as stale is
// shown what others changed since the page's last autosave, not the
// page's own autosaved changes as if someone else had made them.
func TestStaleSaveAfterAutosaveShowsOnlyTheirs(t *testing.T) {
	n := startNode(t, "")
	writer, wid := loginAs(t, n, auth.RoleWriter)
	editor, eid := loginAs(t, n, auth.RoleEditor)
	a := articleIn(t, n, news.StatusDraft, wid)
	base := "/admin/articles/" + id(a)
	f := articleForm(a, "")
	f.Del("action")
	f.Set("headline", "عنوان الكاتبة الأول")
	saved := decodeAutosave(t, writer.do(t, "POST", base+"/autosave", f, nil))
	// The writer's page goes quiet; the editor saves over the draft.
	if err := n.Store.LeaveArticle(context.Background(), a.ID, wid, time.Now()); err != nil {
		t.Fatal(err)
	}
	g := articleForm(a, "save")
	g.Set("version", strconv.FormatInt(saved.Version, 10))
	g.Set("headline", "عنوان المحرر الأخير")
	if r := editor.do(t, "POST", base, g, nil); r.status != http.StatusSeeOther {
		t.Fatalf("editor's save: %d", r.status)
	}
	if err := n.Store.LeaveArticle(context.Background(), a.ID, eid, time.Now()); err != nil {
		t.Fatal(err)
	}
	f.Set("version", strconv.FormatInt(saved.Version, 10))
	f.Set("action", "save")
	r := writer.do(t, "POST", base, f, nil)
	start := strings.Index(r.body, `aria-labelledby="theirs-title"`)
	if r.status != http.StatusConflict || start < 0 {
		t.Fatalf("stale save: %d, theirs shown %v", r.status, start >= 0)
	}
	theirs := r.body[start:]
	theirs = theirs[:strings.Index(theirs, "</section>")]
	if !strings.Contains(theirs, "الكاتبة") || strings.Contains(theirs, "<del>خبر") {
		t.Errorf("what others changed, against the writer's autosave:\n%s", theirs)
	}
}

// TestFirstSaveTwiceMakesOneDraft: a new article's page carries a key; its
// first save sent again (a double click, or a retry after a lost answer),
// or an autosave racing it, saves the same draft instead of making a
// second; another user's post with the key is refused.
func TestFirstSaveTwiceMakesOneDraft(t *testing.T) {
	backends(t, firstSaveTwice)
}

func firstSaveTwice(t *testing.T, n *node) {
	writer, _ := loginAs(t, n, auth.RoleWriter)
	editor, _ := loginAs(t, n, auth.RoleEditor)
	page := writer.get(t, "/admin/articles/new").body
	at := strings.Index(page, `name="draft_key" value="`)
	if at < 0 {
		t.Fatal("the new-article form has no draft key")
	}
	key := page[at+len(`name="draft_key" value="`):][:32]
	sec, err := n.Store.SectionBySlug(context.Background(), "politics")
	if err != nil {
		t.Fatal(err)
	}
	form := func(headline, action string) url.Values {
		f := url.Values{"headline": {headline}, "section": {strconv.FormatInt(sec.ID, 10)}, "blocks": {"1"}, "b0_type": {"paragraph"},
			"b0_text": {"نص"}, "draft_key": {key}}
		if action != "" {
			f.Set("action", action)
		}
		return f
	}
	// Refused for a missing headline, the form comes back with its key.
	if r := writer.do(t, "POST", "/admin/articles/new", form(" ", "save"), nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, key) {
		t.Fatalf("refused first save: %d, key kept %v", r.status, strings.Contains(r.body, key))
	}
	first := writer.do(t, "POST", "/admin/articles/new", form("مسودة بنقرتين", "save"), nil)
	again := writer.do(t, "POST", "/admin/articles/new", form("مسودة بنقرتين، معدلة", "save"), nil)
	if first.status != http.StatusSeeOther || again.status != http.StatusSeeOther {
		t.Fatalf("first save twice: %d, %d", first.status, again.status)
	}
	where := strings.SplitN(first.header.Get("Location"), "?", 2)[0]
	if got := strings.SplitN(again.header.Get("Location"), "?", 2)[0]; got != where {
		t.Fatalf("the second first save went to %s, the first to %s", got, where)
	}
	r := writer.do(t, "POST", "/admin/articles/new/autosave", form("مسودة بنقرتين، معدلة تلقائيًا", ""), nil)
	if got := decodeAutosave(t, r); r.status != http.StatusOK || got.URL != where {
		t.Errorf("an autosave racing the first save: %d %+v, want %s", r.status, got, where)
	}
	aid, err := strconv.ParseInt(strings.TrimPrefix(where, "/admin/articles/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.article(t, aid); got.Headline != "مسودة بنقرتين، معدلة تلقائيًا" {
		t.Errorf("the draft holds %q", got.Headline)
	}
	list, err := n.Store.ListArticles(context.Background(), store.AdminFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	made := 0
	for _, a := range list {
		if strings.HasPrefix(a.Headline, "مسودة بنقرتين") {
			made++
		}
	}
	if made != 1 {
		t.Errorf("%d drafts made by one page", made)
	}
	if r := editor.do(t, "POST", "/admin/articles/new", form("مسودة غيري", "save"), nil); r.status != http.StatusConflict {
		t.Errorf("another user's post with the key: %d", r.status)
	}
	if got := n.article(t, aid); got.Headline != "مسودة بنقرتين، معدلة تلقائيًا" {
		t.Errorf("another user's post changed the draft: %q", got.Headline)
	}
}
