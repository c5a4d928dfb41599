package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"khabar/internal/news"
)

func TestFeedsServedAndRefreshed(t *testing.T) {
	n := startNode(t, "")
	ctx := context.Background()
	a := firstPublished(t, n.Store)
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
	for _, f := range feeds {
		r := n.get(t, f.path)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), f.ctype) {
			t.Fatalf("%s: %d %s", f.path, r.status, r.header.Get("Content-Type"))
		}
		parsed, err := parser.ParseString(r.body)
		if err != nil {
			t.Fatalf("%s does not parse: %v", f.path, err)
		}
		if len(parsed.Items) == 0 || parsed.Items[0].Title != a.Headline || !strings.HasPrefix(parsed.Items[0].Link, "http://khabar.test/news/") {
			t.Errorf("%s: first item %+v", f.path, parsed.Items[0])
		}
		// Conditional GET, both validators.
		if c := n.do(t, "GET", f.path, nil, map[string]string{"If-None-Match": r.header.Get("ETag")}); c.status != http.StatusNotModified {
			t.Errorf("%s If-None-Match: %d", f.path, c.status)
		}
		if c := n.do(t, "GET", f.path, nil, map[string]string{"If-Modified-Since": r.header.Get("Last-Modified")}); c.status != http.StatusNotModified || r.header.Get("Last-Modified") == "" {
			t.Errorf("%s If-Modified-Since %q: %d", f.path, r.header.Get("Last-Modified"), c.status)
		}
	}
	for _, p := range []string{"/feeds/section/nowhere/rss.xml", "/feeds/rss.html", "/feeds/planet/x/rss.xml", "/feeds/tag/%ff/rss.xml"} {
		if r := n.get(t, p); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	// Autodiscovery on pages.
	if r := n.get(t, "/section/"+a.Section.Slug); !strings.Contains(r.body, `<link rel="alternate" type="application/rss&#43;xml"`) ||
		!strings.Contains(r.body, `href="/feeds/section/`+a.Section.Slug+`/atom.xml"`) {
		t.Error("section page lacks feed autodiscovery")
	}
	// Publishing refreshes the cached feed.
	fresh := &news.Article{Headline: "خبر جديد في الخلاصة & <اختبار> 🎉", SectionID: a.SectionID, Status: news.StatusPublished}
	if err := n.Store.CreateArticle(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	n.waitEvents(t)
	parsed, err := parser.ParseString(n.get(t, "/feeds/rss.xml").body)
	if err != nil || parsed.Items[0].Title != fresh.Headline {
		t.Errorf("feed not refreshed after publishing: %v %q", err, parsed.Items[0].Title)
	}
}

// A correction to an article's body reaches the feeds that carry it, and
// a tag only drafts use has no feed.
func TestFeedsFollowCorrectionsAndHideDraftTags(t *testing.T) {
	n := startNode(t, "")
	ctx := context.Background()
	n.get(t, "/feeds/feed.json") // cache it
	a := firstPublished(t, n.Store)
	a.Body = append(a.Body, news.Block{Type: news.BlockParagraph, Text: "تصحيح: ورد الرقم خطأ"})
	if err := n.Store.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	n.waitEvents(t)
	if !strings.Contains(n.get(t, "/feeds/feed.json").body, "تصحيح: ورد الرقم خطأ") {
		t.Error("the site feed still carries the uncorrected body")
	}
	draft := &news.Article{Headline: "مسودة", SectionID: a.SectionID, Tags: []news.Tag{{Name: "وسم سري"}}}
	if err := n.Store.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	slug := url.PathEscape(news.Slugify("وسم سري"))
	for _, p := range []string{"/feeds/tag/" + slug + "/rss.xml", "/tag/" + slug, "/search?q=x&tag=" + slug} {
		if r := n.get(t, p); r.status != 404 || strings.Contains(r.body, "وسم سري") {
			t.Errorf("%s: %d, reveals a draft-only tag", p, r.status)
		}
	}
}
