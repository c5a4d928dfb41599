package site

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"khabar/internal/feed/feedtest"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestFeedsServed(t *testing.T) { storetest.Each(t, testFeedsServed) }

func testFeedsServed(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	a := f.first(t)
	tag := url.PathEscape(a.Tags[0].Slug)
	feeds := []struct {
		path, ctype string
	}{
		{"/feeds/rss.xml", "application/rss+xml"},
		{"/feeds/atom.xml", "application/atom+xml"},
		{"/feeds/feed.json", "application/feed+json"},
		{"/feeds/section/" + a.Section.Slug + "/rss.xml", "application/rss+xml"},
		{"/feeds/tag/" + tag + "/atom.xml", "application/atom+xml"},
		{"/feeds/author/" + a.Authors[0].Slug + "/feed.json", "application/feed+json"},
	}
	parser := gofeed.NewParser()
	for _, fd := range feeds {
		r := f.get(fd.path)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), fd.ctype) {
			t.Fatalf("%s: %d %s", fd.path, r.Status, r.Header.Get("Content-Type"))
		}
		parsed, err := parser.ParseString(r.Body)
		if err != nil {
			t.Fatalf("%s does not parse: %v", fd.path, err)
		}
		if len(parsed.Items) == 0 || parsed.Items[0].Title != a.Headline || !strings.HasPrefix(parsed.Items[0].Link, "http://khabar.test/news/") {
			t.Errorf("%s: first item %+v", fd.path, parsed.Items[0])
		}
		// Conditional GET, both validators.
		if c := f.c.Do("GET", fd.path, nil, http.Header{"If-None-Match": {r.Header.Get("ETag")}}); c.Status != http.StatusNotModified {
			t.Errorf("%s If-None-Match: %d", fd.path, c.Status)
		}
		if c := f.c.Do("GET", fd.path, nil, http.Header{"If-Modified-Since": {r.Header.Get("Last-Modified")}}); c.Status != http.StatusNotModified || r.Header.Get("Last-Modified") == "" {
			t.Errorf("%s If-Modified-Since %q: %d", fd.path, r.Header.Get("Last-Modified"), c.Status)
		}
	}
	for _, p := range []string{"/feeds/section/nowhere/rss.xml", "/feeds/rss.html", "/feeds/planet/x/rss.xml", "/feeds/tag/%ff/rss.xml"} {
		if r := f.get(p); r.Status != 404 {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	// Autodiscovery on pages.
	if r := f.get("/section/" + a.Section.Slug); !strings.Contains(r.Body, `<link rel="alternate" type="application/rss&#43;xml"`) ||
		!strings.Contains(r.Body, `href="/feeds/section/`+a.Section.Slug+`/atom.xml"`) {
		t.Error("section page lacks feed autodiscovery")
	}
}

// A tag only drafts use has no feed, no page and no search filter.
func TestDraftOnlyTagIsHidden(t *testing.T) { storetest.Each(t, testDraftOnlyTagIsHidden) }

func testDraftOnlyTagIsHidden(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	draft := &news.Article{Headline: "مسودة", SectionID: f.first(t).SectionID, Tags: []news.Tag{{Name: "وسم سري"}}}
	if err := f.store.CreateArticle(context.Background(), draft); err != nil {
		t.Fatal(err)
	}
	slug := url.PathEscape(news.Slugify("وسم سري"))
	for _, p := range []string{"/feeds/tag/" + slug + "/rss.xml", "/tag/" + slug, "/search?q=x&tag=" + slug} {
		if r := f.get(p); r.Status != 404 || strings.Contains(r.Body, "وسم سري") {
			t.Errorf("%s: %d, reveals a draft-only tag", p, r.Status)
		}
	}
}

func TestFeedsCarryPayloadsAsText(t *testing.T) { storetest.Each(t, testFeedsCarryPayloadsAsText) }

// testFeedsCarryPayloadsAsText: articles whose headline, lead and body
// are attacks on feed readers, through the store, the body renderer and
// each format, read by gofeed (a real client): plain-text fields read as
// stored, HTML fields (RSS description, content) build nothing but the
// body's own inline markup.
func testFeedsCarryPayloadsAsText(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	sec := &news.Section{Name: "اختبار الخلاصات", Slug: "feed-payloads"}
	if err := st.CreateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	stored := map[string]*news.Article{} // by URL
	for _, p := range feedtest.Payloads {
		a := &news.Article{Headline: p, Lead: p, SectionID: sec.ID, Status: news.StatusPublished,
			Body: []news.Block{{Type: news.BlockParagraph, Text: "نص " + p}}}
		if err := st.CreateArticle(ctx, a); err != nil {
			t.Fatalf("%q: %v", p, err)
		}
		got, err := st.GetArticle(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored["http://khabar.test"+news.ArticlePath(got)] = got
	}
	inline := map[string]bool{"p": true, "strong": true, "em": true, "a": true, "br": true}
	for _, file := range news.FeedFiles {
		path := news.FeedPath(news.ListSection, sec.Slug, file)
		fd, err := gofeed.NewParser().ParseString(f.get(path).Body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(fd.Items) != len(feedtest.Payloads) {
			t.Fatalf("%s: %d items, want %d", path, len(fd.Items), len(feedtest.Payloads))
		}
		for _, it := range fd.Items {
			a := stored[it.Link]
			if a == nil {
				t.Fatalf("%s: unknown item %s", path, it.Link)
			}
			summary := it.Description
			if fd.FeedType == "rss" {
				r := feedtest.Render(t, summary)
				if len(r.Elements)+len(r.Attrs)+r.Comments > 0 {
					t.Errorf("%s: description %q builds %+v", path, summary, r)
				}
				summary = r.Text
			}
			if it.Title != a.Headline || summary != a.Lead {
				t.Errorf("%s: title %q and summary %q, want %q and %q", path, it.Title, summary, a.Headline, a.Lead)
			}
			r := feedtest.Render(t, it.Content)
			for _, e := range r.Elements {
				if !inline[e] {
					t.Errorf("%s: %q: content builds <%s>: %s", path, a.Headline, e, it.Content)
				}
			}
			for _, attr := range r.Attrs {
				if !strings.HasPrefix(attr, "href=http") {
					t.Errorf("%s: %q: content has the attribute %s", path, a.Headline, attr)
				}
			}
			if r.Comments > 0 {
				t.Errorf("%s: %q: content has a comment: %s", path, a.Headline, it.Content)
			}
		}
	}
}
