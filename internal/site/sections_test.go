package site

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestSectionPages: a nested section's page has breadcrumbs and a
// BreadcrumbList, and its parent's page and feed carry its articles; a
// re-slugged section's old page and feeds answer 301 to the new ones;
// hidden and archived sections leave the menu but keep their pages; a
// section page has a meta description.
func TestSectionPages(t *testing.T) { storetest.Each(t, testSectionPages) }

func testSectionPages(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	actor := news.Actor{Name: "test"}
	sport := &news.Section{Name: "رياضة", Slug: "sport", Description: "ملاعب العالم والمنتخبات العربية"}
	if err := st.AddSection(ctx, sport, actor); err != nil {
		t.Fatal(err)
	}
	football := &news.Section{Name: "كرة القدم", Slug: "football", ParentID: sport.ID}
	if err := st.AddSection(ctx, football, actor); err != nil {
		t.Fatal(err)
	}
	a := &news.Article{Headline: "المنتخب يتأهل إلى النهائي", SectionID: football.ID, Status: news.StatusPublished,
		Body: []news.Block{{Type: news.BlockParagraph, Text: "فاز المنتخب في نصف النهائي."}}}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	f.reload(t)

	child := f.get("/section/football")
	if child.Status != 200 || !strings.Contains(child.Body, a.Headline) {
		t.Fatalf("the subsection's page: %d", child.Status)
	}
	crumbs := `<p class="crumbs"><a href="/section/sport"><bdi>رياضة</bdi></a><span aria-hidden="true"> › </span><a href="/section/football"><bdi>كرة القدم</bdi></a></p>`
	if !strings.Contains(child.Body, crumbs) {
		t.Errorf("the subsection's page has no breadcrumbs %s", crumbs)
	}
	if !strings.Contains(child.Body, `"@type":"BreadcrumbList"`) || !strings.Contains(child.Body, `"item":"http://khabar.test/section/sport","name":"رياضة","position":2`) {
		t.Errorf("the subsection's page has no BreadcrumbList through its parent")
	}
	if !strings.Contains(child.Body, `<meta name="description" content="آخر أخبار كرة القدم في`) {
		t.Error("a section without a description has no meta description")
	}
	parent := f.get("/section/sport")
	if parent.Status != 200 || !strings.Contains(parent.Body, a.Headline) || !strings.Contains(parent.Body, `content="ملاعب العالم والمنتخبات العربية"`) {
		t.Errorf("the parent's page: %d, want its subsection's article and its description", parent.Status)
	}
	if r := f.get("/feeds/section/sport/rss.xml"); r.Status != 200 || !strings.Contains(r.Body, a.Headline) {
		t.Errorf("the parent's feed: %d, want its subsection's article", r.Status)
	}
	article := f.get(news.ArticlePath(a))
	if !strings.Contains(article.Body, crumbs) || !strings.Contains(article.Body, `"position":4`) {
		t.Errorf("the article page's trail does not go through the parent section")
	}
	nav := func() string {
		body := f.get("/").Body
		start := strings.Index(body, `<nav class="sections"`)
		return body[start : start+strings.Index(body[start:], "</nav>")]
	}
	if m := nav(); !strings.Contains(m, `href="/section/sport"`) || strings.Contains(m, `href="/section/football"`) {
		t.Errorf("the menu should hold the parent, not the subsection: %s", m)
	}
	if !strings.Contains(article.Body, `<a href="/section/sport" aria-current="page">`) {
		t.Error("the article's parent section is not marked in the menu")
	}

	// Re-slug: old page, its later pages and its feeds answer 301.
	sport.Slug = "sport-news"
	if err := st.UpdateSection(ctx, sport, actor); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	for from, to := range map[string]string{
		"/section/sport":                      "/section/sport-news",
		"/section/sport?page=2":               "/section/sport-news?page=2",
		"/feeds/section/sport/rss.xml":        "/feeds/section/sport-news/rss.xml",
		"/feeds/section/sport/feed.json":      "/feeds/section/sport-news/feed.json",
		"/section/" + url.PathEscape("Sport"): "/section/sport",
	} {
		if r := f.get(from); r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != to {
			t.Errorf("%s: %d to %q, want 301 to %s", from, r.Status, r.Header.Get("Location"), to)
		}
	}
	if r := f.get("/section/sport-news"); r.Status != 200 {
		t.Errorf("the new slug: %d", r.Status)
	}
	if r := f.get("/section/never-was"); r.Status != http.StatusNotFound {
		t.Errorf("a slug no section ever had: %d", r.Status)
	}

	// Hidden and archived: out of the menu, pages still there.
	sport.Hidden = true
	if err := st.UpdateSection(ctx, sport, actor); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	if strings.Contains(nav(), `href="/section/sport-news"`) {
		t.Error("a hidden section is in the menu")
	}
	if r := f.get("/section/sport-news"); r.Status != 200 || !strings.Contains(r.Body, a.Headline) {
		t.Errorf("a hidden section's page: %d", r.Status)
	}
	football.Archived = true
	if err := st.UpdateSection(ctx, football, actor); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	if r := f.get(news.ArticlePath(a)); r.Status != 200 {
		t.Errorf("an archived section's article: %d", r.Status)
	}
}

// TestBreakingKickerOnce: a breaking article whose kicker is also «عاجل»
// says it once.
func TestBreakingKickerOnce(t *testing.T) { storetest.Each(t, testBreakingKickerOnce) }

func testBreakingKickerOnce(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	secs, _ := st.ListSections(context.Background())
	for _, kicker := range []string{"عاجل", "خاص"} {
		a := &news.Article{Headline: "انفجار في المرفأ " + kicker, Kicker: kicker, Breaking: true, SectionID: secs[0].ID, Status: news.StatusPublished,
			Body: []news.Block{{Type: news.BlockParagraph, Text: "فقرة"}}}
		if err := st.CreateArticle(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		body := f.get(news.ArticlePath(a)).Body
		head := body[strings.Index(body, `<header class="story-head">`):strings.Index(body, "<h1")]
		if n := strings.Count(head, "عاجل"); n != 1 {
			t.Errorf("kicker %s: «عاجل» %d times above the headline:\n%s", kicker, n, head)
		}
		if kicker != "عاجل" && !strings.Contains(head, `<p class="kicker">`+kicker+`</p>`) {
			t.Errorf("kicker %s is gone:\n%s", kicker, head)
		}
	}
}

// TestAuthorPage: an author's page shows the profile (photo, job title,
// bio, links) and gives it as Person JSON-LD with sameAs; the article's
// byline carries the same Person.
func TestAuthorPage(t *testing.T) { storetest.Each(t, testAuthorPage) }

func testAuthorPage(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	media, err := st.ListMedia(ctx, 1, 0)
	if err != nil || len(media) == 0 {
		t.Fatalf("no demo image: %v", err)
	}
	au := &news.Author{Name: "سامي يوسف", NameLatin: "Sami Youssef", JobTitle: "مراسل في بغداد", Bio: "يغطي الشأن العراقي.",
		PhotoID: media[0].ID, X: "https://x.com/sami", Website: "https://sami.example"}
	if err := st.AddAuthor(ctx, au, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	secs, _ := st.ListSections(ctx)
	a := &news.Article{Headline: "بغداد تستعد للانتخابات", SectionID: secs[0].ID, Status: news.StatusPublished, Authors: []news.Author{*au},
		Body: []news.Block{{Type: news.BlockParagraph, Text: "فقرة"}}}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	r := f.get("/author/sami-youssef")
	for _, want := range []string{`<div class="portrait">`, `<p class="job-title"><bdi>مراسل في بغداد</bdi></p>`, "يغطي الشأن العراقي.",
		`<a href="https://x.com/sami" rel="me noopener" dir="ltr">`, `"@type":"Person"`, `"alternateName":"Sami Youssef"`,
		`"sameAs":["https://x.com/sami","https://sami.example"]`, `"jobTitle":"مراسل في بغداد"`} {
		if r.Status != 200 || !strings.Contains(r.Body, want) {
			t.Errorf("the author page (%d) lacks %s", r.Status, want)
		}
	}
	if body := f.get(news.ArticlePath(a)).Body; !strings.Contains(body, `"sameAs":["https://x.com/sami","https://sami.example"]`) {
		t.Error("the article's Person has no sameAs")
	}
}
