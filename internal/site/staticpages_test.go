package site

import (
	"context"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestStaticPages: the outlet's pages answer at /page/{slug} with their
// blocks, a meta description and WebPage JSON-LD; footer pages are linked
// from every page in order; pages with a purpose fill the outlet's
// NewsMediaOrganization (correctionsPolicy, ethicsPolicy, masthead); an
// edit reaches readers at its event; unknown and hostile slugs are 404s.
func TestStaticPages(t *testing.T) { storetest.Each(t, testStaticPages) }

func testStaticPages(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	actor := news.Actor{Name: "test"}
	// The demo's pages go: this test writes its own.
	demoPages, err := st.ListPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range demoPages {
		if err := st.DeletePage(ctx, p.ID, actor); err != nil {
			t.Fatal(err)
		}
	}
	add := func(title, slug string, purpose news.PagePurpose, footer bool, text string) *news.Page {
		t.Helper()
		p := &news.Page{Title: title, Slug: slug, Purpose: purpose, Footer: footer,
			Body: []news.Block{{Type: news.BlockHeading, Text: "من نحن", Level: 2}, {Type: news.BlockParagraph, Text: text}}}
		if err := st.AddPage(ctx, p, actor); err != nil {
			t.Fatal(err)
		}
		return p
	}
	about := add("عن خبر", "about", news.PurposeAbout, true, "خبر مؤسسة <strong>مستقلة</strong> يملكها صحافيوها.")
	add("سياسة التصحيح", "corrections-policy", news.PurposeCorrections, true, "نصحح أخطاءنا علنًا.")
	add("المعايير التحريرية", "ethics", news.PurposeEthics, false, "نتحقق من كل خبر من مصدرين.")
	add("هيئة التحرير", "masthead", news.PurposeMasthead, true, "رئيس التحرير: …")
	f.reload(t)

	r := f.get("/page/about")
	if r.Status != 200 || !strings.Contains(r.Body, "<h1><bdi>عن خبر</bdi></h1>") || !strings.Contains(r.Body, "خبر مؤسسة <strong>مستقلة</strong> يملكها صحافيوها.") {
		t.Fatalf("the about page: %d\n%s", r.Status, r.Body)
	}
	for _, want := range []string{
		`<meta name="description" content="من نحن خبر مؤسسة مستقلة يملكها صحافيوها.">`,
		`<link rel="canonical" href="http://khabar.test/page/about">`,
		`"@type":"AboutPage"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the about page lacks %s", want)
		}
	}
	home := f.get("/")
	footer := home.Body[strings.Index(home.Body, `<footer`):]
	links := `<li><a href="/page/about"><bdi>عن خبر</bdi></a></li>
<li><a href="/page/corrections-policy"><bdi>سياسة التصحيح</bdi></a></li>
<li><a href="/page/masthead"><bdi>هيئة التحرير</bdi></a></li>`
	if !strings.Contains(footer, links) {
		t.Errorf("the footer should link the footer pages in order:\n%s", footer)
	}
	if strings.Contains(footer, "/page/ethics") {
		t.Error("the footer links a page not meant for it")
	}
	for _, want := range []string{
		`"correctionsPolicy":"http://khabar.test/page/corrections-policy"`,
		`"ethicsPolicy":"http://khabar.test/page/ethics"`,
		`"masthead":"http://khabar.test/page/masthead"`,
		`"ownershipFundingInfo":"http://khabar.test/page/about"`,
		`"publishingPrinciples":"http://khabar.test/page/ethics"`,
	} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("the home page's NewsMediaOrganization lacks %s", want)
		}
	}

	// An edit reaches the cached page and every footer at its event.
	about.Title = "من نحن"
	if err := st.UpdatePage(ctx, about, actor); err != nil {
		t.Fatal(err)
	}
	if err := f.s.HandleEvent(ctx, news.Event{Kind: news.EventPageChanged}); err != nil {
		t.Fatal(err)
	}
	if r := f.get("/page/about"); !strings.Contains(r.Body, "<h1><bdi>من نحن</bdi></h1>") {
		t.Error("the edited page still shows its old title")
	}
	if r := f.get("/"); !strings.Contains(r.Body, `<a href="/page/about"><bdi>من نحن</bdi></a>`) {
		t.Error("the footer still shows the page's old title")
	}

	for _, path := range []string{"/page/none", "/page/%00", "/page/%ff%fe", "/page/" + strings.Repeat("a", 5000), "/page/about/extra"} {
		if r := f.get(path); r.Status != 404 {
			t.Errorf("GET %s: %d, want 404", path, r.Status)
		}
	}
	if err := st.DeletePage(ctx, about.ID, actor); err != nil {
		t.Fatal(err)
	}
	if err := f.s.HandleEvent(ctx, news.Event{Kind: news.EventPageChanged}); err != nil {
		t.Fatal(err)
	}
	if r := f.get("/page/about"); r.Status != 404 {
		t.Errorf("a deleted page: %d", r.Status)
	}
	if r := f.get("/"); strings.Contains(r.Body, `/page/about"`) {
		t.Error("the footer still links a deleted page")
	}
}
