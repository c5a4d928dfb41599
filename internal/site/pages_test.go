package site

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/web"
)

func TestReaderPages(t *testing.T) { storetest.Each(t, testReaderPages) }

func testReaderPages(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	a := f.first(t)
	canon := news.ArticlePath(a)

	home := f.get("/")
	if home.Status != 200 || !strings.Contains(home.Body, `<html lang="ar" dir="rtl">`) {
		t.Fatalf("home: %d", home.Status)
	}
	for _, want := range []string{`class="ticker"`, `class="lead-story"`, `class="latest"`, `class="section-block"`, "كن أول من يعرف"} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("home lacks %s", want)
		}
	}

	for _, p := range []string{"/news/" + itoa(a.ID), "/news/" + itoa(a.ID) + "/wrong-slug"} {
		r := f.get(p)
		if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != canon {
			t.Errorf("%s: %d → %q, want 301 → %q", p, r.Status, r.Header.Get("Location"), canon)
		}
	}
	page := f.get(canon)
	if page.Status != 200 {
		t.Fatalf("article: %d", page.Status)
	}
	wants := []string{
		"<h1>" + a.Headline + "</h1>", a.Kicker, `rel="author"`, `/author/`, `rel="tag"`, `class="dates"`,
		`class="channels"`, "https://whatsapp.com/channel/khabar-demo", // join our channels
		`id="comments"`, "شاركنا رأيك في التعليقات",
		`class="follow"`, "https://www.youtube.com/@khabar-demo", "https://news.google.com/publications/khabar-demo",
		"https://wa.me/?text=", "https://t.me/share/url?url=", "https://x.com/intent/post?url=", "https://www.facebook.com/sharer/sharer.php?u=", "data-copy=",
		`<link rel="canonical" href="http://khabar.test/news/`, `class="related"`,
		// The demo dates its articles from the moment it loads, and
		// keeps the default settings: Levantine month names in
		// Beirut's zone.
		settings.Defaults().DateFormat().DateTime(a.PublishedAt),
	}
	for _, w := range wants {
		if !strings.Contains(page.Body, w) {
			t.Errorf("article page lacks %q", w)
		}
	}
	if strings.Contains(page.Body, "<script>") || regexp.MustCompile(`<script[^>]+src="https?://`).MatchString(page.Body) {
		t.Error("article page loads a third-party or inline script")
	}
	if page.Header.Get("Surrogate-Key") == "" || !strings.Contains(page.Header.Get("Cache-Control"), "public") {
		t.Errorf("CDN headers: %v", page.Header)
	}

	// Conditional GET and compression.
	etag := page.Header.Get("ETag")
	if r := f.c.Do("GET", canon, nil, http.Header{"If-None-Match": {etag}}); r.Status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.Status)
	}
	if r := f.c.Do("GET", canon, nil, http.Header{"Accept-Encoding": {"gzip"}}); r.Header.Get("Content-Encoding") != "gzip" || gunzip(t, r.Body) != page.Body {
		t.Errorf("gzip variant differs")
	}
	if r := f.c.Do("GET", canon, nil, http.Header{"Accept-Encoding": {"br"}}); r.Header.Get("Content-Encoding") != "br" {
		t.Errorf("br not chosen")
	}

	sec := f.get("/section/" + a.Section.Slug)
	if sec.Status != 200 || !strings.Contains(sec.Body, a.Headline) {
		t.Errorf("section page: %d", sec.Status)
	}
	tag := f.get("/tag/" + url.PathEscape(a.Tags[0].Slug))
	if tag.Status != 200 || !strings.Contains(tag.Body, a.Headline) {
		t.Errorf("tag page: %d", tag.Status)
	}
	au := f.get("/author/" + a.Authors[0].Slug)
	if au.Status != 200 || !strings.Contains(au.Body, a.Headline) {
		t.Errorf("author page: %d", au.Status)
	}
	if r := f.get("/robots.txt"); r.Status != 200 || !strings.Contains(r.Body, "Disallow: /admin/") {
		t.Errorf("robots: %d %q", r.Status, r.Body)
	}
}

func TestPaginationAndDates(t *testing.T) { storetest.Each(t, testPaginationAndDates) }

func testPaginationAndDates(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	// 45 more politics articles make three pages.
	sec, err := f.store.SectionBySlug(ctx, "politics")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 45; i++ {
		a := &news.Article{Headline: "خبر رقم " + strconv.Itoa(i), SectionID: sec.ID, Status: news.StatusPublished,
			PublishedAt: time.Date(2025, 12, 1, 12, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Hour)}
		if err := f.store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	p1 := f.get("/section/politics")
	p3 := f.get("/section/politics?page=3")
	if p1.Status != 200 || p3.Status != 200 {
		t.Fatalf("pages: %d %d", p1.Status, p3.Status)
	}
	if !strings.Contains(p1.Body, `rel="next" href="/section/politics?page=2"`) || !strings.Contains(p3.Body, `rel="prev" href="/section/politics?page=2"`) {
		t.Error("pager links missing")
	}
	if strings.Contains(p3.Body, `rel="next"`) {
		t.Error("last page has a next link")
	}
	if !strings.Contains(p3.Body, "تشرين الثاني 2025") {
		t.Error("levantine month name missing on page 3")
	}
	if err := f.store.SaveSettings(ctx, map[string]string{"month_style": "egypt", "digits": "arabic", "time_zone": "Asia/Beirut"}); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	p3 = f.get("/section/politics?page=3")
	if !strings.Contains(p3.Body, "نوفمبر ٢٠٢٥") || !strings.Contains(p3.Body, "الصفحة ٣ من ٣") {
		t.Error("settings not applied to the page (Egyptian months, Arabic-Indic digits)")
	}
}

func TestBadInput(t *testing.T) { storetest.Each(t, testBadInput) }

func testBadInput(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	cases := []struct {
		path   string
		status int
	}{
		{"/news/abc", 404},
		{"/news/0", 404},
		{"/news/-1", 404},
		{"/news/99999999999999999999999", 404},
		{"/news/9007199254740993", 404},
		{"/news/123456", 404},
		{"/section/no-such-section", 404},
		{"/tag/" + url.PathEscape("وسم-غير-موجود"), 404},
		{"/author/nobody", 404},
		{"/section/politics?page=abc", 400},
		{"/section/politics?page=0", 400},
		{"/section/politics?page=99999999", 400},
		{"/section/politics?page=1&page=2", 400},
		{"/section/politics?page=50", 404},
		{"/no/such/page", 404},
		{"/" + strings.Repeat("a", 9000), 414},
		{"/?q=" + strings.Repeat("x", 7000), 414},
		{"/media/", 404},
		{"/media/demo", 404},
		{"/static/nothing.css", 404},
		{"/section/%ff%fe", 404},
	}
	for _, c := range cases {
		r := f.get(c.path)
		if r.Status != c.status {
			t.Errorf("%s: got %d, want %d", c.path[:min(len(c.path), 60)], r.Status, c.status)
			continue
		}
		if c.status >= 400 && c.status != 404 || c.path == "/no/such/page" {
			if !strings.Contains(r.Body, `lang="ar"`) {
				t.Errorf("%s: error page is not the Arabic page", c.path[:min(len(c.path), 60)])
			}
		}
	}
	// The fixture's data folder holds khabar.db beside the media folder.
	if r := f.get("/media/../khabar.db"); r.Status == 200 {
		t.Error("path traversal served a file")
	}
	// The Arabic 404 page names the problem.
	if r := f.get("/news/abc"); !strings.Contains(r.Body, "الصفحة غير موجودة") {
		t.Error("404 page text")
	}
	// The 500 page gives the request id the log line carries, for the
	// reader to quote; no other error page has one to give.
	for status, want := range map[int]bool{http.StatusInternalServerError: true, http.StatusNotFound: false} {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/x", nil)
		req.Header.Set(web.RequestIDHeader, "ref-12345678")
		web.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.s.Error(w, r, status) })).ServeHTTP(w, req)
		body := w.Body.String()
		if got := strings.Contains(body, `إن أبلغتنا بالخطأ فاذكر هذا الرقم المرجعي: <code dir="ltr">ref-12345678</code>`); got != want || w.Code != status {
			t.Errorf("%d page: %d, reference shown %v, want %v", status, w.Code, got, want)
		}
	}
}

// TestReviewFindings pins the reader pages' fixes of a hostile-input
// review, on both databases (PostgreSQL refuses invalid UTF-8 where
// SQLite does not).
func TestReviewFindings(t *testing.T) { storetest.Each(t, testReviewFindings) }

func testReviewFindings(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	for _, p := range []string{"/section/%ff", "/section/%00", "/tag/a%00b", "/author/%c3%28", "/author/%00"} {
		r := f.get(p)
		if r.Status >= 500 {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	// Non-canonical slugs redirect, so "?page=2" smuggled into a slug
	// can never share page 2's cache entry.
	r := f.get("/section/politics%3Fpage=2")
	if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/section/politics-page-2" {
		t.Errorf("escaped ? in slug: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := f.get("/section/Politics?page=1"); r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/section/politics" {
		t.Errorf("capitalised slug: %d %s", r.Status, r.Header.Get("Location"))
	}
	a := f.first(t)
	canon := news.ArticlePath(a)
	for _, p := range []string{canon + "/", canon + "/extra", "/news/" + itoa(a.ID) + "/x%2Fy"} {
		if r := f.get(p); r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != canon {
			t.Errorf("%s: %d %s", p, r.Status, r.Header.Get("Location"))
		}
	}
	if r := f.get("/static/nothing.css"); r.Status != 404 || !strings.Contains(r.Body, "الصفحة غير موجودة") {
		t.Errorf("static 404: %d", r.Status)
	}
}

// TestPreviewOfADraft: the newsroom's preview of a draft says it is a
// preview and not yet published, never «1 كانون الثاني 0001»; a scheduled
// one gives its planned time.
func TestPreviewOfADraft(t *testing.T) { storetest.Each(t, testPreviewOfADraft) }

func testPreviewOfADraft(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	secs, _ := st.ListSections(ctx)
	draft := &news.Article{Headline: "مسودة للمعاينة", SectionID: secs[0].ID, Body: []news.Block{{Type: news.BlockParagraph, Text: "فقرة"}}}
	if err := st.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	b, err := f.s.RenderPreview(ctx, draft)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{`<p class="preview-banner" role="status">معاينة: هذا الخبر «مسودة»`, "لم يُنشر بعد"} {
		if !strings.Contains(page, want) {
			t.Errorf("the draft's preview lacks %q", want)
		}
	}
	if i := strings.Index(page, "0001"); i >= 0 {
		t.Errorf("the draft's preview shows the zero time: …%s…", page[max(0, i-200):i+50])
	}
	draft.PublishAt = time.Date(2031, 5, 4, 9, 30, 0, 0, time.UTC)
	if b, err = f.s.RenderPreview(ctx, draft); err != nil || !strings.Contains(string(b), `يُنشر في <time datetime="2031-05-04T12:30:00&#43;03:00">`) {
		i := strings.Index(string(b), `class="dates"`)
		t.Errorf("a scheduled draft's preview does not give its planned time (%v): %s", err, string(b)[max(0, i):min(len(b), i+300)])
	}
	if r := f.get(news.ArticlePath(f.first(t))); strings.Contains(r.Body, "preview-banner") {
		t.Error("a published article's page carries the preview banner")
	}
}

func TestHomeLeadPinned(t *testing.T) { storetest.Each(t, testHomeLeadPinned) }

// testHomeLeadPinned: the home page's lead is the newest article the desk
// pinned, however old, ahead of breaking and newer news; unpinned, the
// lead is the newest breaking article again.
func testHomeLeadPinned(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	arts := f.published(t, 6)
	lead := func() string {
		t.Helper()
		body := f.get("/").Body
		_, rest, ok := strings.Cut(body, `<article class="lead-story">`)
		story, _, _ := strings.Cut(rest, "</article>")
		if !ok {
			t.Fatalf("no lead story on the home page")
		}
		return story
	}
	before := lead()
	pin := func(a *news.Article, on bool) {
		t.Helper()
		a.Pinned = on
		if err := st.UpdateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetArticle(ctx, a.ID)
		if err != nil || got.Pinned != on {
			t.Fatalf("pinned %v stored as %+v (%v)", on, got, err)
		}
		f.reload(t)
	}
	older, oldest := arts[4], arts[5]
	for _, c := range []struct {
		pin  *news.Article
		on   bool
		want string
	}{
		{oldest, true, oldest.Headline},
		{older, true, older.Headline}, // the newer of the two pinned
		{older, false, oldest.Headline},
		{oldest, false, ""},
	} {
		pin(c.pin, c.on)
		got := lead()
		if c.want == "" && got != before || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("pinned %q %v: the lead is\n%.300s", c.pin.Headline, c.on, got)
		}
	}
}

// TestMediaServedAndRedirected: a stored file is streamed with its type
// and immutable caching, a missing one is the 404 page, and with a media
// URL (a CDN, the bucket) /media/ redirects there instead.
func TestMediaServedAndRedirected(t *testing.T) { storetest.Each(t, testMediaServedAndRedirected) }

func testMediaServedAndRedirected(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	const key = "demo/1-16x9.svg"
	r := f.get("/media/" + key)
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(r.Body, "<svg") ||
		r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("demo image: %d %v", r.Status, r.Header)
	}
	if r := f.get("/media/demo/none.svg"); r.Status != 404 || !strings.Contains(r.Body, `lang="ar"`) {
		t.Errorf("missing file: %d", r.Status)
	}
	f.s.mediaURL = "https://cdn.example.net/site"
	r = f.get("/media/" + key)
	if r.Status != http.StatusFound || r.Header.Get("Location") != "https://cdn.example.net/site/"+key {
		t.Errorf("with a media URL: %d to %q", r.Status, r.Header.Get("Location"))
	}
	// Names no store holds are never sent on (the mux cleans the others
	// first, redirecting to the cleaned path).
	for _, bad := range []string{"/media/../khabar.db", "/media/demo/%2e%2e/x", "/media/a//b", "/media/.tmp-1"} {
		if r := f.get(bad); r.Status == 200 || strings.HasPrefix(r.Header.Get("Location"), "https://cdn") {
			t.Errorf("%s with a media URL: %d to %q", bad, r.Status, r.Header.Get("Location"))
		}
	}
}
