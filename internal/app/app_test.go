package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/app"
	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestSettingsReachCachedPages: a settings change reaches pages already
// cached, through the outbox. (Pagination and the dates themselves are
// internal/site's TestPaginationAndDates.)
func TestSettingsReachCachedPages(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	ctx := context.Background()
	// 45 more politics articles make three pages.
	sec, err := n.Store.SectionBySlug(ctx, "politics")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 45; i++ {
		a := &news.Article{Headline: "خبر رقم " + strconv.Itoa(i), SectionID: sec.ID, Status: news.StatusPublished,
			PublishedAt: time.Date(2025, 12, 1, 12, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Hour)}
		if err := n.Store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	n.WaitEvents(t)
	if p3 := n.Get(t, "/section/politics?page=3"); p3.Status != 200 || !strings.Contains(p3.Body, "تشرين الثاني 2025") {
		t.Fatalf("page 3 before the change: %d", p3.Status)
	}
	if err := n.Store.SaveSettings(ctx, map[string]string{"month_style": "egypt", "digits": "arabic", "time_zone": "Asia/Beirut"}); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	p3 := n.Get(t, "/section/politics?page=3")
	if !strings.Contains(p3.Body, "نوفمبر ٢٠٢٥") || !strings.Contains(p3.Body, "الصفحة ٣ من ٣") {
		t.Error("settings change did not reach cached pages (Egyptian months, Arabic-Indic digits)")
	}
	// The outlet's language, chosen in the settings, switches the site and
	// the newsroom, cached pages included.
	if err := n.Store.SaveSettings(ctx, map[string]string{"lang": "en"}); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	for _, path := range []string{"/section/politics?page=3", "/admin/login"} {
		if r := n.Get(t, path); !strings.Contains(r.Body, `<html lang="en" dir="ltr">`) {
			t.Errorf("%s after switching to English: %.200s", path, r.Body)
		}
	}
}

func TestPublishRefreshesPagesThroughEvents(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		ctx := context.Background()
		old := apptest.FirstPublished(t, n.Store)
		oldPath := "/news/" + strconv.FormatInt(old.ID, 10) + "/" + url.PathEscape(old.Slug)
		paths := []string{"/", "/section/" + old.Section.Slug, "/tag/" + url.PathEscape(old.Tags[0].Slug), oldPath}
		for _, p := range paths { // warm the cache
			if r := n.Get(t, p); r.Status != 200 {
				t.Fatalf("%s: %d", p, r.Status)
			}
		}
		before := n.Cache.Len()

		fresh := &news.Article{Headline: "عنوان جديد تماما للاختبار", SectionID: old.SectionID, Status: news.StatusPublished,
			Tags: []news.Tag{{Name: old.Tags[0].Name}}, Authors: old.Authors}
		if err := n.Store.CreateArticle(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		if n.Cache.Len() >= before {
			t.Errorf("cache still holds %d pages after publish (had %d)", n.Cache.Len(), before)
		}
		// Every event handled: the node is ready, and the probes answer
		// uncached, each with its request id.
		for path, want := range map[string]string{app.ReadyPath: `{"ready":true}`, app.HealthPath: "ok"} {
			if r := n.Get(t, path); r.Status != 200 || strings.TrimSpace(r.Body) != want ||
				r.Header.Get("Cache-Control") != "no-store" || len(r.Header.Get("X-Request-Id")) != 16 {
				t.Errorf("%s: %d %q %v", path, r.Status, r.Body, r.Header)
			}
		}
		for _, p := range paths[:3] {
			if r := n.Get(t, p); !strings.Contains(r.Body, fresh.Headline) {
				t.Errorf("%s does not show the newly published article", p)
			}
		}
		// The ticker's latest headlines on every page include it too.
		if r := n.Get(t, oldPath); !strings.Contains(r.Body, fresh.Headline) {
			t.Error("article page ticker does not show the new headline")
		}

		// An update of the body alone refreshes the article page only.
		cur, _ := n.Store.GetArticle(ctx, old.ID)
		cur.Body = append(cur.Body, news.Block{Type: news.BlockParagraph, Text: "فقرة أضيفت بعد النشر"})
		homeTag := n.Get(t, "/").Header.Get("ETag")
		if err := n.Store.UpdateArticle(ctx, cur); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		if r := n.Get(t, oldPath); !strings.Contains(r.Body, "فقرة أضيفت بعد النشر") {
			t.Error("updated article page is stale")
		}
		if r := n.Get(t, "/"); r.Header.Get("ETag") != homeTag {
			t.Error("a body-only update needlessly re-rendered the home page")
		}

		// Unpublishing answers 410 and drops it from lists.
		if _, err := n.Store.SetStatus(ctx, fresh.ID, fresh.Version, news.StatusUnpublished); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		freshPath := "/news/" + strconv.FormatInt(fresh.ID, 10) + "/" + url.PathEscape(fresh.Slug)
		if r := n.Get(t, freshPath); r.Status != http.StatusGone || !strings.Contains(r.Body, "لم يعد هذا الخبر متاحًا") {
			t.Errorf("unpublished: %d", r.Status)
		}
		if r := n.Get(t, "/"); strings.Contains(r.Body, fresh.Headline) {
			t.Error("home still lists the unpublished article")
		}

		// Ticker changes reach every page.
		item := &news.TickerItem{Text: "سطر عاجل جديد في الشريط"}
		if err := n.Store.CreateTicker(ctx, item); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		if r := n.Get(t, oldPath); !strings.Contains(r.Body, item.Text) {
			t.Error("ticker change not on the article page")
		}
	})
}

func TestNewsroomPublishesAnArticleEndToEnd(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		if r := n.Get(t, "/admin/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login") {
			t.Fatalf("anonymous /admin/: %d %s", r.Status, r.Header.Get("Location"))
		}
		bad := n.Do(t, "POST", "/admin/login", url.Values{"email": {"editor@khabar.test"}, "password": {"nope"}}, nil)
		if bad.Status != http.StatusUnauthorized || !strings.Contains(bad.Body, "غير صحيحة") {
			t.Errorf("wrong password: %d", bad.Status)
		}
		apptest.Login(t, n, auth.RoleEditor)
		sec, err := n.Store.SectionBySlug(context.Background(), "politics")
		if err != nil {
			t.Fatal(err)
		}
		authors, _ := n.Store.ListAuthors(context.Background())
		form := url.Values{
			"headline": {"البرلمان يقر الموازنة العامة"}, "kicker": {"خاص"}, "lead": {"مقدمة الخبر"},
			"section": {strconv.FormatInt(sec.ID, 10)}, "authors": {strconv.FormatInt(authors[0].ID, 10)},
			"tags": {"الموازنة، البرلمان"}, "blocks": {"3"},
			"b0_type": {"paragraph"}, "b0_text": {`نص <strong>مهم</strong> <img src=x onerror=alert(1)>`}, "b0_pos": {"2"},
			"b1_type": {"heading"}, "b1_text": {"عنوان فرعي"}, "b1_level": {"2"}, "b1_pos": {"1"},
			"b2_type": {"quote"}, "b2_text": {"اقتباس"}, "b2_cite": {"النائب"}, "b2_pos": {"3"},
			"action": {"publish"},
		}
		r := n.Do(t, "POST", "/admin/articles/new", form, nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		loc := r.Header.Get("Location")
		id, _ := strconv.ParseInt(strings.TrimPrefix(strings.Split(loc, "?")[0], "/admin/articles/"), 10, 64)
		a, err := n.Store.GetArticle(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != news.StatusPublished || len(a.Body) != 3 || a.Body[0].Type != news.BlockHeading || len(a.Tags) != 2 {
			t.Fatalf("stored: %+v", a)
		}
		n.WaitEvents(t)
		page := n.Get(t, "/news/"+strconv.FormatInt(id, 10)+"/"+url.PathEscape(a.Slug))
		if page.Status != 200 || !strings.Contains(page.Body, "البرلمان يقر الموازنة العامة") || !strings.Contains(page.Body, "<strong>مهم</strong>") {
			t.Fatalf("published page: %d", page.Status)
		}
		if strings.Contains(page.Body, "onerror") {
			t.Error("unsanitised markup reached the page")
		}
		if home := n.Get(t, "/"); !strings.Contains(home.Body, "البرلمان يقر الموازنة العامة") {
			t.Error("home does not list the new article")
		}

		// A stale form is refused, not merged: someone saves after our form
		// was loaded at version 1.
		other, _ := n.Store.GetArticle(context.Background(), id)
		other.Lead = "تعديل زميل"
		if err := n.Store.UpdateArticle(context.Background(), other); err != nil {
			t.Fatal(err)
		}
		edit := url.Values{"headline": {"تعديل متأخر"}, "section": {strconv.FormatInt(sec.ID, 10)}, "version": {"1"}, "blocks": {"0"}, "action": {"save"}}
		if r := n.Do(t, "POST", "/admin/articles/"+strconv.FormatInt(id, 10), edit, nil); r.Status != http.StatusConflict {
			t.Errorf("stale save: %d", r.Status)
		}
		// Cross-origin form posts are refused (CSRF).
		if r := n.Do(t, "POST", "/admin/articles/new", form, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); r.Status != http.StatusForbidden {
			t.Errorf("cross-origin post: %d", r.Status)
		}
		// Unpublish from the newsroom.
		cur, _ := n.Store.GetArticle(context.Background(), id)
		r = n.Do(t, "POST", "/admin/articles/"+strconv.FormatInt(id, 10)+"/status", url.Values{"status": {"unpublished"}, "version": {strconv.FormatInt(cur.Version, 10)}}, nil)
		if r.Status != http.StatusSeeOther {
			t.Errorf("unpublish: %d", r.Status)
		}
		// Ticker management.
		if r := n.Do(t, "POST", "/admin/ticker", url.Values{"text": {"عاجل من غرفة الأخبار"}, "hours": {"2"}}, nil); r.Status != http.StatusSeeOther {
			t.Errorf("add ticker: %d", r.Status)
		}
		if r := n.Do(t, "POST", "/admin/ticker", url.Values{"text": {"x"}, "url": {"javascript:alert(1)"}}, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("javascript: ticker link: %d", r.Status)
		}
		n.WaitEvents(t)
		if r := n.Get(t, "/"); !strings.Contains(r.Body, "عاجل من غرفة الأخبار") {
			t.Error("ticker item not on home")
		}
	})
}

func TestNewsroomRolesAndBadForms(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	apptest.Login(t, n, auth.RoleWriter)
	a := apptest.FirstPublished(t, n.Store)
	id := strconv.FormatInt(a.ID, 10)
	cases := []struct {
		name   string
		method string
		path   string
		form   url.Values
		status int
	}{
		{"writer cannot publish", "POST", "/admin/articles/" + id + "/status", url.Values{"status": {"unpublished"}, "version": {"1"}}, 403},
		{"writer cannot edit a live article", "POST", "/admin/articles/" + id, url.Values{"headline": {"x"}}, 403},
		{"writer cannot manage the ticker", "GET", "/admin/ticker", nil, 403},
		{"writer cannot change settings", "POST", "/admin/settings", url.Values{"site_name": {"x"}}, 403},
		{"writer cannot publish from the form", "POST", "/admin/articles/new", url.Values{"headline": {"x"}, "section": {"1"}, "action": {"publish"}}, 403},
		{"non-numeric id", "GET", "/admin/articles/abc", nil, 404},
		{"huge id", "GET", "/admin/articles/99999999999999999999", nil, 404},
		{"missing article", "GET", "/admin/articles/424242", nil, 404},
		{"non-numeric section", "POST", "/admin/articles/new", url.Values{"headline": {"x"}, "section": {"abc"}, "action": {"save"}}, 422},
		{"unknown section", "POST", "/admin/articles/new", url.Values{"headline": {"x"}, "section": {"424242"}, "action": {"save"}}, 422},
		{"no headline", "POST", "/admin/articles/new", url.Values{"section": {"1"}, "action": {"save"}}, 422},
		{"unknown block type", "POST", "/admin/articles/new", url.Values{"headline": {"x"}, "section": {"1"}, "blocks": {"1"}, "b0_type": {"marquee"}, "b0_text": {"x"}}, 422},
		{"bad embed", "POST", "/admin/articles/new", url.Values{"headline": {"x"}, "section": {"1"}, "blocks": {"1"}, "b0_type": {"embed"}, "b0_url": {"javascript:alert(1)"}}, 422},
		{"absurd block count", "POST", "/admin/articles/new", url.Values{"headline": {"x"}, "section": {"1"}, "blocks": {"99999999"}}, 422},
		{"huge body", "POST", "/admin/articles/new", url.Values{"headline": {strings.Repeat("x", 3<<20)}}, 413},
	}
	for _, c := range cases {
		r := n.Do(t, c.method, c.path, c.form, nil)
		if r.Status != c.status {
			t.Errorf("%s: got %d, want %d", c.name, r.Status, c.status)
		}
	}
	if n, _ := n.Store.ListArticles(context.Background(), store.AdminFilter{Status: news.StatusDraft}); len(n) != 0 {
		t.Errorf("invalid forms stored %d drafts", len(n))
	}
	// A writer can save a draft.
	r := n.Do(t, "POST", "/admin/articles/new", url.Values{"headline": {"مسودة كاتب"}, "section": {"1"}, "action": {"save"}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"نص"}}, nil)
	if r.Status != http.StatusSeeOther {
		t.Errorf("writer draft: %d %s", r.Status, r.Body)
	}
}

func TestNewsroomPages(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	apptest.Login(t, n, auth.RoleAdmin)
	a := apptest.FirstPublished(t, n.Store)
	id := strconv.FormatInt(a.ID, 10)
	pages := []struct {
		path string
		want []string
	}{
		{"/admin/", []string{a.Headline, `name="status" value="unpublished"`, "منشور"}},
		{"/admin/?status=draft", []string{"لا توجد أخبار بهذه الحالة"}},
		{"/admin/articles/new", []string{`name="headline"`, `name="add_type"`, `value="factbox"`}},
		{"/admin/articles/" + id, []string{a.Headline, `name="version" value="1"`, `name="b0_type"`, `class="primary">نشر التحديث</button>`}},
		{"/admin/articles/" + id + "/preview", []string{"<h1>" + a.Headline + "</h1>", `content="noindex, nofollow"`}},
		{"/admin/ticker", []string{`name="text"`, "<table>"}},
		{"/admin/settings", []string{`name="month_style"`, `value="levant" selected`, "https://t.me/khabar_demo"}},
	}
	for _, p := range pages {
		r := n.Get(t, p.path)
		if r.Status != 200 {
			t.Errorf("%s: %d", p.path, r.Status)
			continue
		}
		if r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(r.Body, `dir="rtl"`) {
			t.Errorf("%s: headers or direction", p.path)
		}
		for _, w := range p.want {
			if !strings.Contains(r.Body, w) {
				t.Errorf("%s lacks %q", p.path, w)
			}
		}
	}
	if r := n.Get(t, "/admin/?status=bogus"); r.Status != 400 {
		t.Errorf("bad status filter: %d", r.Status)
	}

	// Settings: a bad link is refused with the field named, a good change applies.
	form := url.Values{"site_name": {"أخبار اليوم"}, "time_zone": {"Africa/Casablanca"}, "month_style": {"morocco"},
		"digits": {"latin"}, "comment_mode": {"pre"}, "youtube": {"javascript:alert(1)"}}
	if r := n.Do(t, "POST", "/admin/settings", form, nil); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "الرابط غير صالح") {
		t.Errorf("bad settings: %d", r.Status)
	}
	form.Set("youtube", "https://www.youtube.com/@akhbar")
	if r := n.Do(t, "POST", "/admin/settings", form, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("save settings: %d", r.Status)
	}
	n.WaitEvents(t)
	home := n.Get(t, "/")
	if !strings.Contains(home.Body, "أخبار اليوم") || !strings.Contains(home.Body, "https://www.youtube.com/@akhbar") || strings.Contains(home.Body, "https://t.me/khabar_demo") {
		t.Error("settings did not reach the site")
	}

	// Logout ends the session.
	if r := n.Do(t, "POST", "/admin/logout", url.Values{}, nil); r.Status != http.StatusSeeOther {
		t.Errorf("logout: %d", r.Status)
	}
	if r := n.Get(t, "/admin/"); r.Status != http.StatusSeeOther {
		t.Errorf("after logout: %d", r.Status)
	}
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	var last int
	for i := 0; i < 7; i++ {
		last = n.Do(t, "POST", "/admin/login", url.Values{"email": {"admin@khabar.example"}, "password": {"guess " + strconv.Itoa(i)}}, nil).Status
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("after 7 failures: %d, want 429", last)
	}
}

// TestReviewFindings pins the fixes of a hostile-input review, on both
// databases (PostgreSQL refuses invalid UTF-8 where SQLite does not); the
// reader pages' are internal/site's TestReviewFindings.
func TestReviewFindings(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		ctx := context.Background()
		if r := n.Do(t, "POST", "/admin/login", url.Values{"email": {"a\x00b"}, "password": {"x"}}, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("NUL in email: %d", r.Status)
		}

		// Adding a tag to a published article refreshes that tag's page.
		tagPage := "/tag/" + url.PathEscape(news.Slugify("وسم أضيف لاحقا"))
		other := apptest.FirstPublished(t, n.Store)
		other.Tags = append(other.Tags, news.Tag{Name: "وسم أضيف لاحقا"})
		if err := n.Store.UpdateArticle(ctx, other); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		if r := n.Get(t, tagPage); r.Status != 200 || !strings.Contains(r.Body, other.Headline) {
			t.Fatalf("new tag page: %d", r.Status)
		}
		second, _ := n.Store.ListPublished(ctx, store.ListFilter{Limit: 2})
		moved, _ := n.Store.GetArticle(ctx, second[1].ID)
		moved.Tags = append(moved.Tags, news.Tag{Name: "وسم أضيف لاحقا"})
		if err := n.Store.UpdateArticle(ctx, moved); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		if r := n.Get(t, tagPage); !strings.Contains(r.Body, moved.Headline) {
			t.Error("tag page stale after a tag was added to a published article")
		}

		// Forms that would wipe the body or skip the version check.
		apptest.Login(t, n, auth.RoleEditor)
		id := strconv.FormatInt(moved.ID, 10)
		cur, _ := n.Store.GetArticle(ctx, moved.ID)
		ver := strconv.FormatInt(cur.Version, 10)
		sec := strconv.FormatInt(cur.SectionID, 10)
		for name, form := range map[string]url.Values{
			"no blocks":       {"headline": {"x"}, "section": {sec}, "version": {ver}},
			"bad blocks":      {"headline": {"x"}, "section": {sec}, "version": {ver}, "blocks": {"abc"}},
			"negative blocks": {"headline": {"x"}, "section": {sec}, "version": {ver}, "blocks": {"-1"}},
			"no version":      {"headline": {"x"}, "section": {sec}, "blocks": {"0"}},
		} {
			if r := n.Do(t, "POST", "/admin/articles/"+id, form, nil); r.Status != http.StatusBadRequest {
				t.Errorf("%s: %d", name, r.Status)
			}
		}
		if after, _ := n.Store.GetArticle(ctx, moved.ID); len(after.Body) != len(cur.Body) || after.Headline != cur.Headline {
			t.Error("a malformed form changed the article")
		}
		bad := url.Values{"headline": {"x"}, "section": {sec}, "featured": {"999999"}, "action": {"save"}}
		if r := n.Do(t, "POST", "/admin/articles/new", bad, nil); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "غير موجودة") {
			t.Errorf("unknown featured image: %d", r.Status)
		}
		img := url.Values{"headline": {"x"}, "section": {sec}, "blocks": {"1"}, "b0_type": {"image"}, "b0_media": {"999999"}, "action": {"save"}}
		if r := n.Do(t, "POST", "/admin/articles/new", img, nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("image block with unknown media: %d", r.Status)
		}
		if r := n.Do(t, "POST", "/admin/ticker", url.Values{"text": {strings.Repeat("x", 3<<20)}}, nil); r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized ticker form: %d", r.Status)
		}
	})
}

func TestParallelLoginsAreThrottled(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	// Up to five argon2id checks (64 MiB each) side by side: under -race
	// on two busy cores they take longer than the client's usual 10 s.
	n.Client.Timeout = 2 * time.Minute
	type result struct {
		status int
		err    error
	}
	results := make(chan result, 12)
	for i := 0; i < 12; i++ {
		go func() {
			r, err := n.Try("POST", "/admin/login", url.Values{"email": {"admin@khabar.example"}, "password": {"wrong " + strconv.Itoa(i)}}, nil)
			results <- result{r.Status, err}
		}()
	}
	// The client gives up on a request in time; the deadline keeps
	// anything stuck outside it from hanging the test.
	deadline := time.After(3 * time.Minute)
	checked := 0
	for i := 0; i < 12; i++ {
		var r result
		select {
		case r = <-results:
		case <-deadline:
			t.Fatalf("%d of 12 parallel logins never answered", 12-i)
		}
		if r.err != nil {
			t.Errorf("login: %v", r.err)
		} else if r.status == http.StatusUnauthorized {
			checked++
		} else if r.status != http.StatusTooManyRequests {
			t.Errorf("status %d", r.status)
		}
	}
	if checked > 5 {
		t.Errorf("%d parallel guesses were checked, want at most 5", checked)
	}
}

// Two nodes on one PostgreSQL: an article published through one node's
// store refreshes the other node's cached pages (the events table is the
// truth; each node polls it).
func TestTwoNodesShareEvents(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	a := apptest.StartNode(t, dbURL)
	b := apptest.StartNode(t, dbURL) // demo already loaded: b loads nothing
	if r := b.Get(t, "/"); r.Status != 200 {
		t.Fatalf("node b home: %d", r.Status)
	}
	old := apptest.FirstPublished(t, a.Store)
	fresh := &news.Article{Headline: "خبر نُشر من العقدة الأولى", SectionID: old.SectionID, Status: news.StatusPublished}
	if err := a.Store.CreateArticle(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	b.WaitEvents(t) // b's consumers reach the event by polling
	if r := b.Get(t, "/"); !strings.Contains(r.Body, fresh.Headline) {
		t.Error("node b still serves a home page without the article published on node a")
	}
	r := b.Get(t, "/api/v1/search?q="+url.QueryEscape("العقدة الأولى"))
	var res struct{ Results []struct{ Headline string } }
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil || len(res.Results) == 0 || res.Results[0].Headline != fresh.Headline {
		t.Errorf("node b search does not rank the new article first: %.300s", r.Body)
	}
}

// TestNotifyWakesOtherNodes: with polling slowed to a minute, a publish on
// one node still reaches the other within seconds, through LISTEN/NOTIFY.
func TestNotifyWakesOtherNodes(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	slow := func(c *config.Config) { c.EventPoll = time.Minute }
	a := apptest.StartNode(t, dbURL, slow)
	b := apptest.StartNode(t, dbURL, slow)
	b.Get(t, "/") // cache the home page on b
	old := apptest.FirstPublished(t, a.Store)
	fresh := &news.Article{Headline: "خبر وصل بالإشعار لا بالاستطلاع", SectionID: old.SectionID, Status: news.StatusPublished}
	start := time.Now()
	if err := a.Store.CreateArticle(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	b.WaitEvents(t)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("node b learned of the event after %s", took)
	}
	if r := b.Get(t, "/"); !strings.Contains(r.Body, fresh.Headline) {
		t.Error("node b home does not show the article published on node a")
	}

	// Cut b's listening connection (as a database restart would): it
	// reconnects and the next event still arrives without waiting for the
	// one-minute poll.
	if _, err := b.Store.DB().Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN khabar_events' AND pid <> pg_backend_pid()"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the listener notice it was cut
	second := &news.Article{Headline: "خبر بعد انقطاع الإشعارات", SectionID: old.SectionID, Status: news.StatusPublished}
	start = time.Now()
	if err := a.Store.CreateArticle(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	b.WaitEvents(t)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("after reconnecting, node b learned of the event after %s", took)
	}
}

// TestStopCutsWhatOutlastsTheGrace: a request still running when the
// grace period ends (here a login whose form never finishes arriving) is
// cut, and the stop ends without an error instead of failing.
func TestStopCutsWhatOutlastsTheGrace(t *testing.T) {
	t.Parallel()
	a, stop := runBare(t, 200*time.Millisecond)
	conn, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Half a form: the handler waits for the rest, so the request stays
	// active through the stop.
	fmt.Fprint(conn, "POST /admin/login HTTP/1.1\r\nHost: khabar.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=")
	apptest.WaitFor(t, "the request to reach the server", func() bool {
		// A second connection answers once the server is serving.
		r, err := http.Get("http://" + a.Addr() + "/healthz")
		if err == nil {
			r.Body.Close()
		}
		return err == nil
	})
	if err := stop(); err != nil {
		t.Fatalf("the stop failed: %v", err)
	}
}

// TestStopEndsLiveStreams: open live streams end when the node stops, so
// the stop drains well inside a long grace instead of waiting it out (a
// stream left open would hold the stop past apptest.Stopped's minute).
func TestStopEndsLiveStreams(t *testing.T) {
	t.Parallel()
	a, stop := runBare(t, 5*time.Minute)
	var streams []io.ReadCloser
	for range 2 {
		var r *http.Response
		apptest.WaitFor(t, "a live stream to open", func() bool {
			var err error
			r, err = http.Get("http://" + a.Addr() + "/live?topic=ticker")
			return err == nil
		})
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
			t.Fatalf("stream: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		defer r.Body.Close()
		streams = append(streams, r.Body)
	}
	if err := stop(); err != nil {
		t.Fatalf("the stop: %v", err)
	}
	for i, s := range streams {
		if _, err := io.ReadAll(s); err != nil {
			t.Errorf("stream %d did not end cleanly: %v", i, err)
		}
	}
}

// runBare runs a node on an empty data directory, without the demo, that
// gives requests grace to finish when it stops; stop ends it and says
// what its Run returned.
func runBare(t *testing.T, grace time.Duration) (a *app.App, stop func() error) {
	t.Helper()
	cfg := config.Default()
	cfg.Addr, cfg.DataDir, cfg.BaseURL = "127.0.0.1:0", t.TempDir(), "http://khabar.test"
	cfg.ShutdownGrace = grace
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return a, func() error {
		cancel()
		return apptest.Stopped(done)
	}
}
