package app_test

import (
	"context"
	"encoding/xml"
	"strconv"
	"strings"
	"testing"

	"khabar/internal/apptest"
	"khabar/internal/news"
)

// Publishing refreshes the cached sitemaps: the site hears of it through
// the outbox. (What the sitemaps say is internal/site's TestSitemaps.)
func TestSitemapsFollowPublishing(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	// Cache the news sitemap and every sitemap of the index.
	n.Get(t, "/sitemap-news.xml")
	var parsed struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(n.Get(t, "/sitemap.xml").Body), &parsed); err != nil || len(parsed.Sitemaps) < 4 {
		t.Fatalf("index: %v %+v", err, parsed)
	}
	for _, sm := range parsed.Sitemaps {
		path := strings.TrimPrefix(sm.Loc, "http://khabar.test")
		if r := n.Get(t, path); r.Status != 200 {
			t.Fatalf("%s: %d", path, r.Status)
		}
	}
	a := apptest.FirstPublished(t, n.Store)
	fresh := &news.Article{Headline: "خبر للخريطة & <العاجلة>", SectionID: a.SectionID, Status: news.StatusPublished}
	if err := n.Store.CreateArticle(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	news2 := n.Get(t, "/sitemap-news.xml").Body
	if !strings.Contains(news2, "خبر للخريطة &amp; &lt;العاجلة&gt;") {
		t.Error("news sitemap not refreshed by publishing")
	}
	// The month the store dated the article in (UTC, as the index keys
	// them), not the test's clock, which may have passed into the next.
	// A 404 page links to articles too: the sitemap must be there and
	// list this one.
	month := "/sitemaps/articles-" + fresh.PublishedAt.UTC().Format("2006-01") + ".xml"
	if r := n.Get(t, month); r.Status != 200 || !strings.Contains(r.Body, "/news/"+strconv.FormatInt(fresh.ID, 10)+"/") {
		t.Errorf("%s: %d, does not list the new article", month, r.Status)
	}
}
