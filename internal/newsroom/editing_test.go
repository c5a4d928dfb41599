package newsroom

import (
	"context"
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
	"khabar/internal/storetest"
)

// TestEditLockAndAutosave: opening an article locks nothing; the first
// to change it holds it, the next sees who and cannot save over them, an
// editor takes over (audited) and the writer's page learns it; autosaves
// keep no revision, make a new article a draft, and refuse what a save
// would refuse, as JSON.
func TestEditLockAndAutosave(t *testing.T) {
	storetest.Each(t, testEditLockAndAutosave)
}

func testEditLockAndAutosave(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	wu, writer := f.as(t, auth.RoleWriter)
	eu, editor := f.as(t, auth.RoleEditor)
	writerName, editorName := "<bdi>"+wu.Name+"</bdi>", "<bdi>"+eu.Name+"</bdi>"
	a := f.articleIn(t, news.StatusDraft, wu.ID)
	base := adminPath(a)
	revisions := func() int {
		t.Helper()
		list, err := s.Revisions(ctx, a.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	if r := writer.Get(base); r.Status != http.StatusOK || strings.Contains(r.Body, "يحرّر هذا الخبر الآن") {
		t.Fatalf("writer opens the draft: %d, notice shown to its holder", r.Status)
	}
	if r := editor.Get(base); r.Status != http.StatusOK || strings.Contains(r.Body, "يحرّر هذا الخبر الآن") || !strings.Contains(r.Body, writerName) {
		t.Fatalf("an editor reading the draft: %d, or not told the writer has it open", r.Status)
	}
	// The writer starts typing: their page's heartbeat claims the lock.
	if p := heartbeat(t, writer, a.ID, true); p.Locked {
		t.Fatal("the writer could not claim a free lock")
	}
	if desk := editor.Get("/admin/"); !strings.Contains(desk.Body, "يحرّره الآن: "+writerName) {
		t.Error("the desk does not say who is editing the draft")
	}
	r := editor.Get(base)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "يحرّر هذا الخبر الآن") || !strings.Contains(r.Body, writerName) ||
		!strings.Contains(r.Body, `action="`+base+`/lock"`) {
		t.Fatalf("editor opening a held article is not told who holds it: %d\n%s", r.Status, r.Body)
	}
	// The holder's page names the editor who also has it open.
	if locked, html := presenceOf(t, writer, a.ID); locked || !strings.Contains(html, "يفتح هذا الخبر أيضًا") || !strings.Contains(html, editorName) {
		t.Errorf("writer's heartbeat: locked %v, %s", locked, html)
	}

	// The editor cannot save over the holder; the page keeps what was typed.
	form := articleForm(a, "save")
	form.Set("headline", "عنوان كتبه المحرر")
	if r := editor.Post(base, form); r.Status != http.StatusConflict || !strings.Contains(r.Body, "يحرّر هذا الخبر شخص آخر") || !strings.Contains(r.Body, "عنوان كتبه المحرر") {
		t.Fatalf("save under someone else's lock: %d", r.Status)
	}
	if r := editor.Post(base+"/autosave", form); r.Status != http.StatusConflict || decodeAutosave(t, r).Error == "" {
		t.Fatalf("autosave under someone else's lock: %d %s", r.Status, r.Body)
	}
	if got := f.article(t, a.ID); got.Headline != a.Headline || got.Version != a.Version {
		t.Fatalf("a refused save changed the article: %q v%d", got.Headline, got.Version)
	}

	// The holder's autosave keeps no revision; the explicit save does.
	before := revisions()
	form = articleForm(a, "")
	form.Del("action")
	form.Set("headline", "عنوان حُفظ تلقائيًا")
	r = writer.Post(base+"/autosave", form)
	saved := decodeAutosave(t, r)
	if r.Status != http.StatusOK || saved.Version != a.Version+1 || saved.ID != a.ID || !strings.Contains(saved.Message, "تلقائيًا") {
		t.Fatalf("autosave: %d %+v", r.Status, saved)
	}
	if got := f.article(t, a.ID); got.Headline != "عنوان حُفظ تلقائيًا" || revisions() != before {
		t.Fatalf("after autosave: %q, %d revisions (were %d)", got.Headline, revisions(), before)
	}
	form.Set("version", itoa(saved.Version))
	form.Set("action", "save")
	if r := writer.Post(base, form); r.Status != http.StatusSeeOther || revisions() != before+1 {
		t.Fatalf("explicit save after an autosave: %d, %d revisions", r.Status, revisions())
	}
	a = f.article(t, a.ID)

	// Only editors take over; the takeover is audited and the writer's
	// page learns it at its next heartbeat.
	if r := writer.Post(base+"/lock", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("writer taking over: %d", r.Status)
	}
	if r := editor.Post(base+"/lock", url.Values{}); r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "?done=taken") {
		t.Fatalf("takeover: %d %s", r.Status, r.Header.Get("Location"))
	}
	log, err := s.AuditLog(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Action != "article.takeover" || log[0].Detail != wu.Name || log[0].Target != "article "+itoa(a.ID) {
		t.Errorf("audit after takeover: %+v", log)
	}
	if locked, html := presenceOf(t, writer, a.ID); !locked || !strings.Contains(html, editorName) || strings.Contains(html, "/lock") {
		t.Errorf("writer after the takeover: locked %v, %s", locked, html)
	}
	form = articleForm(a, "save")
	if r := writer.Post(base+"/autosave", form); r.Status != http.StatusConflict {
		t.Errorf("writer's autosave after the takeover: %d", r.Status)
	}
	revs, err := s.Revisions(ctx, a.ID, 1)
	if err != nil || len(revs) == 0 {
		t.Fatal(revs, err)
	}
	restore := base + "/revisions/" + itoa(revs[0].ID) + "/restore"
	if r := writer.Post(restore, url.Values{"version": {itoa(a.Version)}}); r.Status != http.StatusConflict {
		t.Errorf("writer restoring a revision after the takeover: %d", r.Status)
	}
	if r := editor.Post(base, articleForm(a, "save")); r.Status != http.StatusSeeOther {
		t.Fatalf("editor's save after the takeover: %d", r.Status)
	}

	// Leaving frees the lock at once, unless the page saying goodbye
	// is older than the holder's last sign of life (a reload).
	seen := heartbeat(t, editor, a.ID, false).Seen
	if r := editor.Post(base+"/leave", url.Values{"seen": {itoa(seen - 1)}}); r.Status != http.StatusNoContent {
		t.Fatalf("late leave: %d", r.Status)
	}
	if locked, _ := presenceOf(t, writer, a.ID); !locked {
		t.Error("a late goodbye freed the lock")
	}
	if r := editor.Post(base+"/leave", url.Values{"seen": {itoa(seen)}}); r.Status != http.StatusNoContent {
		t.Fatalf("leave: %d", r.Status)
	}
	if locked, _ := presenceOf(t, writer, a.ID); locked {
		t.Error("the lock was not free after its holder left")
	}

	// A new article becomes a draft at its first autosave, without a
	// revision; without a headline it is refused field by field.
	sec := itoa(a.SectionID)
	fresh := url.Values{"headline": {"مسودة بدأت للتو"}, "section": {sec}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"سطر أول"}}
	r = writer.Post("/admin/articles/new/autosave", fresh)
	made := decodeAutosave(t, r)
	if r.Status != http.StatusOK || made.ID == 0 || made.URL != "/admin/articles/"+itoa(made.ID) {
		t.Fatalf("first autosave of a new article: %d %+v", r.Status, made)
	}
	if got := f.article(t, made.ID); got.Status != news.StatusDraft || got.CreatedBy != wu.ID {
		t.Errorf("autosaved draft: %s by %d", got.Status, got.CreatedBy)
	}
	if list, err := s.Revisions(ctx, made.ID, 10); err != nil || len(list) != 0 {
		t.Errorf("autosaved draft has %d revisions (%v)", len(list), err)
	}
	if locked, _ := presenceOf(t, editor, made.ID); !locked {
		t.Error("the writer does not hold the draft their autosave made")
	}
	// Submitting hands the draft to the editors: the writer's lock goes.
	submit := url.Values{"headline": {"مسودة بدأت للتو"}, "section": {sec}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"سطر أول"},
		"version": {itoa(made.Version)}, "action": {"submit"}}
	if r := writer.Post(made.URL, submit); r.Status != http.StatusSeeOther {
		t.Fatalf("submit the autosaved draft: %d", r.Status)
	}
	if p := heartbeat(t, editor, made.ID, true); p.Locked {
		t.Error("the writer still holds the draft they submitted")
	}
	fresh.Set("headline", " ")
	r = writer.Post("/admin/articles/new/autosave", fresh)
	if bad := decodeAutosave(t, r); r.Status != http.StatusUnprocessableEntity || bad.Fields["headline"] == "" || bad.Error == "" {
		t.Errorf("autosave without a headline: %d %+v", r.Status, bad)
	}
}

// TestEditingBadRequests: hostile or broken requests to the editing
// endpoints get a clear status and change nothing.
func TestEditingBadRequests(t *testing.T) {
	storetest.Each(t, testEditingBadRequests)
}

func testEditingBadRequests(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	wu, writer := f.as(t, auth.RoleWriter)
	_, moderator := f.as(t, auth.RoleModerator)
	_, editor := f.as(t, auth.RoleEditor)
	other := f.articleIn(t, news.StatusDraft, 0)
	mine := f.articleIn(t, news.StatusDraft, wu.ID)
	submitted := f.articleIn(t, news.StatusReview, wu.ID)
	noVersion := articleForm(mine, "")
	noVersion.Del("version")
	cases := []struct {
		name   string
		c      *storetest.Client
		path   string
		form   url.Values
		hdr    http.Header
		status int
	}{
		{"autosave without a version", writer, adminPath(mine) + "/autosave", noVersion, nil, http.StatusBadRequest},
		{"autosave of a stale version", writer, adminPath(mine) + "/autosave", articleForm(&news.Article{ID: mine.ID, Version: mine.Version + 5, SectionID: mine.SectionID}, ""), nil, http.StatusConflict},
		{"autosave of a missing article", writer, "/admin/articles/999999/autosave", articleForm(mine, ""), nil, http.StatusNotFound},
		{"autosave of someone else's draft", writer, adminPath(other) + "/autosave", articleForm(other, ""), nil, http.StatusForbidden},
		{"autosave of a draft submitted since", writer, adminPath(submitted) + "/autosave", articleForm(submitted, ""), nil, http.StatusConflict},
		{"autosave of a body too large", writer, adminPath(mine) + "/autosave", url.Values{"blocks": {"1"}, "version": {"1"}, "b0_text": {strings.Repeat("ن", 6<<20)}}, nil, http.StatusRequestEntityTooLarge},
		{"autosave by a moderator", moderator, adminPath(mine) + "/autosave", articleForm(mine, ""), nil, http.StatusForbidden},
		{"cross-site autosave", writer, adminPath(mine) + "/autosave", articleForm(mine, ""), crossSite, http.StatusForbidden},
		{"presence of a missing article", writer, "/admin/articles/999999/presence", url.Values{}, nil, http.StatusNotFound},
		{"presence with a bad id", writer, "/admin/articles/x1/presence", url.Values{}, nil, http.StatusNotFound},
		{"leave with a bad id", writer, "/admin/articles/-3/leave", url.Values{"seen": {"1"}}, nil, http.StatusNotFound},
		{"leave without seen", writer, adminPath(mine) + "/leave", url.Values{}, nil, http.StatusBadRequest},
		{"leave with a bad seen", writer, adminPath(mine) + "/leave", url.Values{"seen": {"yesterday"}}, nil, http.StatusBadRequest},
		{"takeover of a missing article", editor, "/admin/articles/999999/lock", url.Values{}, nil, http.StatusNotFound},
		{"cross-site leave", writer, adminPath(mine) + "/leave", url.Values{"seen": {"1"}}, crossSite, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The page's script asks for JSON, and shows the answer's
			// error: a refusal must say why, not send a page.
			script := strings.HasSuffix(tc.path, "/autosave")
			hdr := http.Header{}
			if script {
				hdr.Set("Accept", "application/json")
			}
			maps.Copy(hdr, tc.hdr)
			r := send(tc.c, "POST", tc.path, tc.form, hdr)
			if r.Status != tc.status {
				t.Errorf("%d, want %d\n%.300s", r.Status, tc.status, r.Body)
			}
			if script && decodeAutosave(t, r).Error == "" {
				t.Errorf("no error in %s", r.Body)
			}
		})
	}
	for _, a := range []*news.Article{mine, other, submitted} {
		if got := f.article(t, a.ID); got.Version != a.Version || got.Headline != a.Headline {
			t.Errorf("article %d changed: v%d %q", a.ID, got.Version, got.Headline)
		}
	}
}

// TestEditingRoleMatrix takes every editing route as every role, on a
// draft nobody in the test owns: editors and admins may do all of it
// (autosave, heartbeat, leave, take over, delete), writers may only be
// counted in (and leave), moderators nothing.
func TestEditingRoleMatrix(t *testing.T) {
	storetest.Each(t, testEditingRoleMatrix)
}

func testEditingRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	roles := []auth.Role{auth.RoleAdmin, auth.RoleEditor, auth.RoleWriter, auth.RoleModerator}
	want := map[string][]int{ // by route, in the order of roles
		"autosave": {200, 200, 403, 403},
		"presence": {200, 200, 200, 403},
		"leave":    {204, 204, 204, 403},
		"lock":     {303, 303, 403, 403},
		"delete":   {303, 303, 403, 403},
	}
	for i, role := range roles {
		_, c := f.as(t, role)
		for route, statuses := range want {
			a := f.articleIn(t, news.StatusDraft, 0)
			form := url.Values{"seen": {"1"}, "version": {itoa(a.Version)}, "confirm": {"1"}}
			if route == "autosave" {
				form = articleForm(a, "")
			}
			if r := c.Post(adminPath(a)+"/"+route, form); r.Status != statuses[i] {
				t.Errorf("%s %s: %d, want %d", role, route, r.Status, statuses[i])
			}
		}
	}
}

// TestArticleFormHostileInput posts what issue 3 names as bad input to the
// article form and to its autosave, for a new article and a stored one:
// each is refused with a clear message (an Arabic page, or JSON naming the
// field), and nothing is stored.
func TestArticleFormHostileInput(t *testing.T) {
	storetest.Each(t, testArticleFormHostileInput)
}

func testArticleFormHostileInput(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	wu, writer := f.as(t, auth.RoleWriter)
	a := f.articleIn(t, news.StatusDraft, wu.ID)
	ctx := context.Background()
	count := func() int {
		t.Helper()
		list, err := s.ListArticles(ctx, store.AdminFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	before := count()
	sec := itoa(a.SectionID)
	form := func(mod func(url.Values)) url.Values {
		v := url.Values{"headline": {"عنوان"}, "section": {sec}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"فقرة"}}
		mod(v)
		return v
	}
	paragraphs := func(count, n int) func(url.Values) {
		return func(v url.Values) {
			v.Set("blocks", strconv.Itoa(count))
			for i := range n {
				v.Set("b"+strconv.Itoa(i)+"_type", "paragraph")
				v.Set("b"+strconv.Itoa(i)+"_text", "فقرة")
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
		{"a headline of 10,000 letters", func(v url.Values) { v.Set("headline", strings.Repeat("ع", 10000)) }, 422, "أطول من المسموح", "headline"},
		{"a body of 100,000 paragraphs", paragraphs(100000, 100000), 413, "", ""},
		{"100,000 blocks announced, 600 sent", paragraphs(100000, 600), 422, "عدد الكتل أكبر من المسموح", "body"},
		{"an unknown block type", func(v url.Values) { v.Set("b0_type", "marquee") }, 422, "", "body"},
		{"a negative block count", func(v url.Values) { v.Set("blocks", "-1") }, 400, "", ""},
		{"a forged section", func(v url.Values) { v.Set("section", "1 OR 1=1") }, 422, "", "section"},
		{"a forged version", func(v url.Values) { v.Set("version", "-") }, 422, "", "version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/admin/articles/new", adminPath(a)} {
				v := form(c.mod)
				if path == adminPath(a) && !v.Has("version") {
					v.Set("version", itoa(a.Version))
				}
				v.Set("action", "save")
				r := writer.Post(path, v)
				if r.Status != c.status || !strings.Contains(r.Body, c.says) || !strings.Contains(r.Body, `lang="ar"`) {
					t.Errorf("save %s: %d, want %d with %q", path, r.Status, c.status, c.says)
				}
				v.Del("action")
				r = writer.Post(path+"/autosave", v)
				if r.Status != c.status {
					t.Errorf("autosave %s: %d, want %d", path, r.Status, c.status)
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
	if got := f.article(t, a.ID); got.Version != a.Version || got.Headline != a.Headline {
		t.Errorf("the stored article changed: v%d %q", got.Version, got.Headline)
	}
}

// TestEditingLeaveAfterAutosave: an autosave is the page's latest sign of
// life, so its answer says when the server heard it and the goodbye that
// quotes it frees the lock at once, as after a heartbeat.
func TestEditingLeaveAfterAutosave(t *testing.T) {
	storetest.Each(t, testEditingLeaveAfterAutosave)
}

func testEditingLeaveAfterAutosave(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	wu, writer := f.as(t, auth.RoleWriter)
	_, editor := f.as(t, auth.RoleEditor)
	a := f.articleIn(t, news.StatusDraft, wu.ID)
	base := adminPath(a)
	heartbeat(t, writer, a.ID, true)
	form := articleForm(a, "")
	form.Del("action")
	form.Set("headline", "عنوان قبل إغلاق الصفحة")
	r := writer.Post(base+"/autosave", form)
	saved := decodeAutosave(t, r)
	if r.Status != http.StatusOK || saved.Seen == 0 {
		t.Fatalf("autosave: %d, seen %d", r.Status, saved.Seen)
	}
	if r := writer.Post(base+"/leave", url.Values{"seen": {itoa(saved.Seen)}}); r.Status != http.StatusNoContent {
		t.Fatalf("leave: %d", r.Status)
	}
	if locked, _ := presenceOf(t, editor, a.ID); locked {
		t.Error("the writer still holds the draft after leaving the page that autosaved it")
	}
}

// TestAutosaveOfALiveArticle: autosaving a published article stages the
// update, and the page is told readers still see the published version.
func TestAutosaveOfALiveArticle(t *testing.T) {
	storetest.Each(t, testAutosaveOfALiveArticle)
}

func testAutosaveOfALiveArticle(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, editor := f.as(t, auth.RoleEditor)
	live := f.articleIn(t, news.StatusPublished, 0)
	form := articleForm(live, "")
	form.Del("action")
	r := editor.Post(adminPath(live)+"/autosave", form)
	if got := decodeAutosave(t, r); r.Status != http.StatusOK || !strings.Contains(got.Message, "لم يُنشر بعد") {
		t.Fatalf("autosave of a live article: %d %+v", r.Status, got)
	}
	if got := f.article(t, live.ID); got.Headline != live.Headline || !got.HasStaged {
		t.Errorf("live article after autosave: %q, staged %v", got.Headline, got.HasStaged)
	}
}

// TestStaleSaveAfterAutosaveShowsOnlyTheirs: a save refused as stale is
// shown what others changed since the page's last autosave, not the
// page's own autosaved changes as if someone else had made them.
func TestStaleSaveAfterAutosaveShowsOnlyTheirs(t *testing.T) {
	storetest.Each(t, testStaleSaveAfterAutosaveShowsOnlyTheirs)
}

func testStaleSaveAfterAutosaveShowsOnlyTheirs(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	wu, writer := f.as(t, auth.RoleWriter)
	eu, editor := f.as(t, auth.RoleEditor)
	a := f.articleIn(t, news.StatusDraft, wu.ID)
	base := adminPath(a)
	mine := articleForm(a, "")
	mine.Del("action")
	mine.Set("headline", "عنوان الكاتبة الأول")
	saved := decodeAutosave(t, writer.Post(base+"/autosave", mine))
	// The writer's page goes quiet; the editor saves over the draft.
	if err := s.LeaveArticle(ctx, a.ID, wu.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	theirs := articleForm(a, "save")
	theirs.Set("version", itoa(saved.Version))
	theirs.Set("headline", "عنوان المحرر الأخير")
	if r := editor.Post(base, theirs); r.Status != http.StatusSeeOther {
		t.Fatalf("editor's save: %d", r.Status)
	}
	if err := s.LeaveArticle(ctx, a.ID, eu.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	mine.Set("version", itoa(saved.Version))
	mine.Set("action", "save")
	r := writer.Post(base, mine)
	start := strings.Index(r.Body, `aria-labelledby="theirs-title"`)
	if r.Status != http.StatusConflict || start < 0 {
		t.Fatalf("stale save: %d, theirs shown %v", r.Status, start >= 0)
	}
	shown := r.Body[start:]
	shown = shown[:strings.Index(shown, "</section>")]
	if !strings.Contains(shown, "الكاتبة") || strings.Contains(shown, "<del>خبر") {
		t.Errorf("what others changed, against the writer's autosave:\n%s", shown)
	}
}

// TestFirstSaveTwiceMakesOneDraft: a new article's page carries a key; its
// first save sent again (a double click, or a retry after a lost answer),
// or an autosave racing it, saves the same draft instead of making a
// second; another user's post with the key is refused.
func TestFirstSaveTwiceMakesOneDraft(t *testing.T) {
	storetest.Each(t, testFirstSaveTwiceMakesOneDraft)
}

func testFirstSaveTwiceMakesOneDraft(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, writer := f.as(t, auth.RoleWriter)
	_, editor := f.as(t, auth.RoleEditor)
	page := writer.Get("/admin/articles/new").Body
	at := strings.Index(page, `name="draft_key" value="`)
	if at < 0 {
		t.Fatal("the new-article form has no draft key")
	}
	key := page[at+len(`name="draft_key" value="`):][:32]
	form := func(headline, action string) url.Values {
		v := url.Values{"headline": {headline}, "section": {itoa(f.Sections[0].ID)}, "blocks": {"1"}, "b0_type": {"paragraph"},
			"b0_text": {"نص"}, "draft_key": {key}}
		if action != "" {
			v.Set("action", action)
		}
		return v
	}
	// Refused for a missing headline, the form comes back with its key.
	if r := writer.Post("/admin/articles/new", form(" ", "save")); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, key) {
		t.Fatalf("refused first save: %d, key kept %v", r.Status, strings.Contains(r.Body, key))
	}
	first := writer.Post("/admin/articles/new", form("مسودة بنقرتين", "save"))
	again := writer.Post("/admin/articles/new", form("مسودة بنقرتين، معدلة", "save"))
	if first.Status != http.StatusSeeOther || again.Status != http.StatusSeeOther {
		t.Fatalf("first save twice: %d, %d", first.Status, again.Status)
	}
	where := strings.SplitN(first.Header.Get("Location"), "?", 2)[0]
	if got := strings.SplitN(again.Header.Get("Location"), "?", 2)[0]; got != where {
		t.Fatalf("the second first save went to %s, the first to %s", got, where)
	}
	r := writer.Post("/admin/articles/new/autosave", form("مسودة بنقرتين، معدلة تلقائيًا", ""))
	if got := decodeAutosave(t, r); r.Status != http.StatusOK || got.URL != where {
		t.Errorf("an autosave racing the first save: %d %+v, want %s", r.Status, got, where)
	}
	aid := savedID(t, first)
	if got := f.article(t, aid); got.Headline != "مسودة بنقرتين، معدلة تلقائيًا" {
		t.Errorf("the draft holds %q", got.Headline)
	}
	list, err := s.ListArticles(context.Background(), store.AdminFilter{Limit: 1000})
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
	if r := editor.Post("/admin/articles/new", form("مسودة غيري", "save")); r.Status != http.StatusConflict {
		t.Errorf("another user's post with the key: %d", r.Status)
	}
	if got := f.article(t, aid); got.Headline != "مسودة بنقرتين، معدلة تلقائيًا" {
		t.Errorf("another user's post changed the draft: %q", got.Headline)
	}
}
