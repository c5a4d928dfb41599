package site

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/demo"
	"khabar/internal/live"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

type fixture struct {
	s     *Site
	store *store.Store
	mux   http.Handler
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := storetest.SQLite(t)
	media := t.TempDir()
	if _, err := demo.Load(context.Background(), st, media); err != nil {
		t.Fatal(err)
	}
	current, err := settings.Load(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), Options{Store: st, Settings: current, Live: live.NewHub(), Cache: render.NewCache(100), Catalog: locale.For("ar"),
		BaseURL: "https://khabar.test", MaxAge: 30 * time.Second, MediaDir: media, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Routes(mux)
	return &fixture{s: s, store: st, mux: s.Fast(mux)}
}

func (f *fixture) get(path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

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

func TestBlocksRender(t *testing.T) {
	f := newFixture(t)
	media, _ := f.store.ListMedia(context.Background(), 1, 0)
	target := firstArticle(t, f)
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
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
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

func firstArticle(t testing.TB, f *fixture) *news.Article {
	t.Helper()
	list, err := f.store.ListPublished(context.Background(), store.ListFilter{Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatal("no article", err)
	}
	return &list[0]
}

func TestHostileTextIsInert(t *testing.T) {
	f := newFixture(t)
	secs, _ := f.store.ListSections(context.Background())
	a := &news.Article{Headline: `<script>alert(1)</script>"><img src=x onerror=alert(2)>`, Kicker: "\u202eكيكر",
		Lead: `javascript:alert(3)`, SectionID: secs[0].ID, Status: news.StatusPublished,
		Tags: []news.Tag{{Name: `"><svg onload=alert(4)>`}},
		Body: []news.Block{{Type: news.BlockParagraph, Text: `<a href="javascript:alert(5)">x</a><svg><script>alert(6)</script></svg><p onclick="alert(7)">y</p>`}}}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	body := f.get(news.ArticlePath(a)).Body.String()
	for _, bad := range []string{"<script>alert", "<img src=x", "<svg", "javascript:alert(5)", "onclick"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	tagPage := f.get("/tag/" + a.Tags[0].Slug)
	if tagPage.Code != 200 || strings.Contains(tagPage.Body.String(), "<svg onload") {
		t.Errorf("tag page: %d", tagPage.Code)
	}
}

func TestArticleStates(t *testing.T) {
	f := newFixture(t)
	secs, _ := f.store.ListSections(context.Background())
	for _, c := range []struct {
		status news.Status
		code   int
	}{{news.StatusDraft, 404}, {news.StatusReview, 404}, {news.StatusScheduled, 404}, {news.StatusUnpublished, 410}} {
		a := &news.Article{Headline: "حالة", SectionID: secs[0].ID, Status: c.status}
		if err := f.store.CreateArticle(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		if w := f.get("/news/" + strconv.FormatInt(a.ID, 10) + "/" + a.Slug); w.Code != c.code {
			t.Errorf("%s: %d, want %d", c.status, w.Code, c.code)
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
	f := newFixture(b)
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
		f.mux.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkArticleHit is the same request answered from the cache.
func BenchmarkArticleHit(b *testing.B) {
	f := newFixture(b)
	path, _ := longest(b, f)
	f.get(path)
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Accept-Encoding", "gzip, br")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, r)
	}
}

// A reader who leaves mid-render must not fail the render for others
// waiting on the same page: it runs without the reader's cancellation.
func TestRenderSurvivesCancelledReader(t *testing.T) {
	f := newFixture(t)
	f.s.cache.Purge()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, httptest.NewRequest("GET", "/", nil).WithContext(ctx))
	if w.Code != 200 || f.s.cache.Get("/") == nil {
		t.Errorf("render with a cancelled reader: %d, cached %v", w.Code, f.s.cache.Get("/") != nil)
	}
}

// A chrome load that overlaps an event must not keep its stale result.
func TestChromeLoadRacingAnEventIsNotKept(t *testing.T) {
	f := newFixture(t)
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

func TestHomeSaysHowLongAgo(t *testing.T) {
	f := newFixture(t)
	secs, _ := f.store.ListSections(context.Background())
	a := &news.Article{Headline: "خبر قبل ثلاث دقائق", SectionID: secs[0].ID, Status: news.StatusPublished,
		PublishedAt: time.Now().Add(-3*time.Minute - 10*time.Second)}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	w := f.get("/")
	if !strings.Contains(w.Body.String(), "منذ 3 دقائق") {
		t.Error("latest list does not say «منذ 3 دقائق»")
	}
	if p := f.s.cache.Get("/"); p == nil || time.Until(p.Expires) > time.Minute {
		t.Error("home must expire within a minute while it shows relative times")
	}
}
