package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/comment"
	"khabar/internal/demo"
	"khabar/internal/live"
	"khabar/internal/locale"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/throttle"
	"khabar/internal/web"
)

// fixture is the site alone on a store holding the demo content, with
// comments open: no outbox, no job queue, no newsroom. What needs those
// (events refreshing pages, live streams, the newsroom's forms) is tested
// end to end in internal/app.
type fixture struct {
	s        *Site
	store    *store.Store
	comments *comment.Service
	search   *search.Service
	// h is the site as a node serves it: its routes under the request
	// limits (web.Limit), answering with its own error pages.
	h http.Handler
	// c is a reader's browser.
	c *storetest.Client
	// files is the media library's folder.
	files *media.Disk
}

// newFixture is the site on st, which it fills with the demo content. Its
// media folder lies in a data folder that also holds a file no URL may
// reach, as a node's database does.
func newFixture(t testing.TB, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	// With an account already there, the demo makes no admin of its own,
	// whose random password costs an argon2id hash per fixture.
	if err := st.CreateUser(ctx, &auth.User{Email: "admin@khabar.test", Name: "مدير", Role: auth.RoleAdmin, PasswordHash: "-"}); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	mediaDir := filepath.Join(dataDir, "media")
	if err := os.WriteFile(filepath.Join(dataDir, "khabar.db"), []byte("not for readers"), 0o600); err != nil {
		t.Fatal(err)
	}
	files, err := media.OpenDisk(mediaDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	if _, err := demo.Load(ctx, st, files); err != nil {
		t.Fatal(err)
	}
	current, err := settings.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	// The catalogue follows the outlet's language, as a node's does.
	cat := locale.For("ar")
	current.Drive(cat, "ar")
	comments, err := comment.New(ctx, st, current)
	if err != nil {
		t.Fatal(err)
	}
	index := search.New(st)
	s, err := New(ctx, Options{Store: st, Settings: current, Live: live.NewHub(), Cache: render.NewCache(1000), Catalog: cat,
		BaseURL: "http://khabar.test", MaxAge: 30 * time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Search: index, SearchLimit: throttle.NewLimiter(30, 500*time.Millisecond), Comments: comments, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Routes(mux)
	h := web.Limit(s.Error, s.Fast(mux))
	return &fixture{s: s, store: st, comments: comments, search: index, h: h, c: storetest.NewClient(t, h), files: files}
}

// get is a reader's request for path.
func (f *fixture) get(path string) storetest.Response { return f.c.Get(path) }

// reload makes the site read everything anew from the store — settings,
// navigation and ticker, every page — as its consumer does on a settings
// event. Tests call it after changing the store behind the site's back;
// which events reach the site, and what each refreshes, internal/app
// tests end to end.
func (f *fixture) reload(t testing.TB) {
	t.Helper()
	if err := f.s.HandleEvent(context.Background(), news.Event{Kind: news.EventSettingsChanged}); err != nil {
		t.Fatal(err)
	}
}

// index builds the search index from the store, with the search
// service's own rebuild (khabar reindex), where a node keeps it in step
// through the outbox.
func (f *fixture) index(t testing.TB) {
	t.Helper()
	if err := f.search.Reindex(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// first is the latest published article, whole.
func (f *fixture) first(t testing.TB) *news.Article {
	t.Helper()
	return f.published(t, 1)[0]
}

// published is the latest n published articles, whole.
func (f *fixture) published(t testing.TB, n int) []*news.Article {
	t.Helper()
	ctx := context.Background()
	list, err := f.store.ListPublished(ctx, store.ListFilter{Limit: n})
	if err != nil || len(list) < n {
		t.Fatalf("want %d published articles, have %d: %v", n, len(list), err)
	}
	out := make([]*news.Article, len(list))
	for i, c := range list {
		if out[i], err = f.store.GetArticle(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// gunzip is a gzip body's text.
func gunzip(t testing.TB, body string) string {
	t.Helper()
	r, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// itoa is an id as a path has it.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// publish stores a published article with the given blocks in the first
// section and returns its canonical path.
func (f *fixture) publish(t testing.TB, blocks []news.Block) (*news.Article, string) {
	t.Helper()
	secs, _ := f.store.ListSections(context.Background())
	a := &news.Article{Headline: "خبر الاختبار", SectionID: secs[0].ID, Status: news.StatusPublished, Body: blocks}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a, news.ArticlePath(a)
}

func TestBlocksRender(t *testing.T) { storetest.Each(t, testBlocksRender) }

func testBlocksRender(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	media, _ := f.store.ListMedia(context.Background(), 1, 0)
	target := f.first(t)
	_, path := f.publish(t, []news.Block{
		{Type: news.BlockParagraph, Text: `فقرة <strong>قوية</strong> و<em>مائلة</em> و<a href="https://example.org/x">رابط</a>`},
		{Type: news.BlockHeading, Level: 3, Text: "عنوان ثالث"},
		{Type: news.BlockQuote, Text: "قول", Cite: "الوزيرة"},
		{Type: news.BlockImage, MediaID: media[0].ID, Caption: "تعليق الصورة", Credit: "المصور", Alt: "وصف بديل"},
		{Type: news.BlockEmbed, URL: "https://www.youtube.com/watch?v=abcdefghijk"},
		{Type: news.BlockEmbed, URL: "https://t.me/channel/123"},
		{Type: news.BlockList, Ordered: true, Items: []string{"أول", "ثان"}},
		{Type: news.BlockDivider},
		{Type: news.BlockFactbox, Title: "حقائق", Items: []string{"حقيقة"}},
		{Type: news.BlockRelated, ArticleID: target.ID},
		{Type: news.BlockHTML, Text: `<table><tr><td>خلية</td></tr></table><script>alert(1)</script>`},
	})
	w := f.get(path)
	if w.Status != 200 {
		t.Fatalf("status %d", w.Status)
	}
	body := w.Body
	for _, want := range []string{
		`<p>فقرة <strong>قوية</strong> و<em>مائلة</em> و<a href="https://example.org/x">رابط</a></p>`,
		`<h3>عنوان ثالث</h3>`,
		`<blockquote><p>قول</p><footer><cite><bdi>الوزيرة</bdi></cite></footer></blockquote>`,
		`alt="وصف بديل" loading="lazy"`, `<figcaption>تعليق الصورة <span class="credit">المصور</span></figcaption>`,
		`data-youtube="abcdefghijk"`, `class="embed embed-telegram"`,
		`<ol><li>أول</li><li>ثان</li></ol>`, `<hr>`,
		`<aside class="factbox"><h2>حقائق</h2>`,
		`<aside class="inline-related"><span>اقرأ أيضًا:</span> <a href="` + news.ArticlePath(target) + `">`,
		`<td>خلية</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, "alert(1)") || strings.Contains(body, "youtube.com/embed") {
		t.Error("script or eager third-party embed on the page")
	}
}

func TestHostileTextIsInert(t *testing.T) { storetest.Each(t, testHostileTextIsInert) }

func testHostileTextIsInert(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	secs, _ := f.store.ListSections(context.Background())
	a := &news.Article{Headline: `<script>alert(1)</script>"><img src=x onerror=alert(2)>`, Kicker: "\u202eكيكر",
		Lead: `javascript:alert(3)`, SectionID: secs[0].ID, Status: news.StatusPublished,
		Tags: []news.Tag{{Name: `"><svg onload=alert(4)>`}},
		Body: []news.Block{{Type: news.BlockParagraph, Text: `<a href="javascript:alert(5)">x</a><svg><script>alert(6)</script></svg><p onclick="alert(7)">y</p>`}}}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	body := f.get(news.ArticlePath(a)).Body
	for _, bad := range []string{"<script>alert", "<img src=x", "<svg", "javascript:alert(5)", "onclick"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	tagPage := f.get("/tag/" + a.Tags[0].Slug)
	if tagPage.Status != 200 || strings.Contains(tagPage.Body, "<svg onload") {
		t.Errorf("tag page: %d", tagPage.Status)
	}
}

func TestArticleStates(t *testing.T) { storetest.Each(t, testArticleStates) }

func testArticleStates(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	secs, _ := f.store.ListSections(context.Background())
	for _, c := range []struct {
		status news.Status
		code   int
	}{{news.StatusDraft, 404}, {news.StatusReview, 404}, {news.StatusScheduled, 404}, {news.StatusUnpublished, 410}} {
		a := &news.Article{Headline: "حالة", SectionID: secs[0].ID, Status: c.status}
		if err := f.store.CreateArticle(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		if w := f.get("/news/" + itoa(a.ID) + "/" + a.Slug); w.Status != c.code {
			t.Errorf("%s: %d, want %d", c.status, w.Status, c.code)
		}
	}
}

// longest returns the canonical path of the longest demo article.
func longest(t testing.TB, f *fixture) (string, int) {
	t.Helper()
	list, err := f.store.ListPublished(context.Background(), store.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	best, words := "", 0
	for _, c := range list {
		a, err := f.store.GetArticle(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := a.WordCount(); n > words {
			best, words = news.ArticlePath(a), n
		}
	}
	return best, words
}

// BenchmarkArticleMiss renders the longest demo article (over 1,500
// words) from the database on every iteration: a cache miss.
func BenchmarkArticleMiss(b *testing.B) {
	f := newFixture(b, storetest.SQLite(b))
	path, words := longest(b, f)
	if words < 1500 {
		b.Fatalf("longest demo article has %d words, want >= 1500", words)
	}
	f.get(path) // warm the chrome (ticker, navigation)
	r := httptest.NewRequest("GET", path, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f.s.cache.Purge()
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkArticleHit is the same request answered from the cache.
func BenchmarkArticleHit(b *testing.B) {
	f := newFixture(b, storetest.SQLite(b))
	path, _ := longest(b, f)
	f.get(path)
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Accept-Encoding", "gzip, br")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
	}
}

// A reader who leaves mid-render must not fail the render for others
// waiting on the same page: it runs without the reader's cancellation.
func TestRenderSurvivesCancelledReader(t *testing.T) {
	storetest.Each(t, testRenderSurvivesCancelledReader)
}

func testRenderSurvivesCancelledReader(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	f.s.cache.Purge()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil).WithContext(ctx))
	if w.Code != 200 || f.s.cache.Get("/") == nil {
		t.Errorf("render with a cancelled reader: %d, cached %v", w.Code, f.s.cache.Get("/") != nil)
	}
}

// A chrome load that overlaps an event must not keep its stale result.
func TestChromeLoadRacingAnEventIsNotKept(t *testing.T) {
	storetest.Each(t, testChromeLoadRacingAnEventIsNotKept)
}

func testChromeLoadRacingAnEventIsNotKept(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	f.s.dropChrome()
	f.s.chromeLoaded = func() { f.s.HandleEvent(context.Background(), news.Event{Kind: news.EventTickerChanged}) }
	if c, err := f.s.chrome(context.Background()); err != nil || c == nil {
		t.Fatal("chrome not loaded", err)
	}
	if f.s.chromeV.Load() != nil {
		t.Error("a chrome read before the event was kept")
	}
	f.s.chromeLoaded = nil
	f.s.chrome(context.Background())
	if f.s.chromeV.Load() == nil {
		t.Error("a chrome read with no event in between was not kept")
	}
}

func TestHomeSaysHowLongAgo(t *testing.T) { storetest.Each(t, testHomeSaysHowLongAgo) }

func testHomeSaysHowLongAgo(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	secs, _ := f.store.ListSections(context.Background())
	a := &news.Article{Headline: "خبر قبل ثلاث دقائق", SectionID: secs[0].ID, Status: news.StatusPublished,
		PublishedAt: time.Now().Add(-3*time.Minute - 10*time.Second)}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	w := f.get("/")
	if !strings.Contains(w.Body, "منذ 3 دقائق") {
		t.Error("latest list does not say «منذ 3 دقائق»")
	}
	if p := f.s.cache.Get("/"); p == nil || time.Until(p.Expires) > time.Minute {
		t.Error("home must expire within a minute while it shows relative times")
	}
}

// TestLiveBlogLink: a related block whose story is a live blog still
// running is shown as live coverage to follow; when the coverage ends,
// the event that announces it drops the linking page, which then shows an
// ordinary link, as it does after the linked headline changes.
func TestLiveBlogLink(t *testing.T) { storetest.Each(t, testLiveBlogLink) }

func testLiveBlogLink(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	blog, _ := f.publish(t, []news.Block{{Type: news.BlockParagraph, Text: "بداية التغطية"}})
	if err := f.store.SetLiveCoverage(ctx, blog.ID, true); err != nil {
		t.Fatal(err)
	}
	_, path := f.publish(t, []news.Block{{Type: news.BlockRelated, ArticleID: blog.ID}})
	link := `<a href="` + news.ArticlePath(blog) + `">`
	if body := f.get(path).Body; !strings.Contains(body, `<aside class="inline-related live"><span>تغطية مباشرة مستمرة:</span> `+link) {
		t.Fatalf("a running live blog is not linked as live coverage:\n%s", body)
	}
	after, err := f.store.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetLiveCoverage(ctx, blog.ID, false); err != nil {
		t.Fatal(err)
	}
	f.deliver(t, after)
	if body := f.get(path).Body; !strings.Contains(body, `<aside class="inline-related"><span>اقرأ أيضًا:</span> `+link) {
		t.Errorf("an ended live blog is still linked as live coverage:\n%s", body)
	}
}
