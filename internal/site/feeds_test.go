package site

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

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
