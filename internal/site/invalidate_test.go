package site

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/render"
)

// TestInvalidates: what each kind of event makes stale, the mapping the
// page cache (and a CDN purged by surrogate key) follows.
func TestInvalidates(t *testing.T) {
	article := news.Event{ArticleID: 7, Sections: []int64{2}, Tags: []int64{5}, Authors: []int64{9}}
	with := func(kind news.EventKind, listing bool) news.Event {
		ev := article
		ev.Kind, ev.Listing = kind, listing
		return ev
	}
	for _, c := range []struct {
		name string
		ev   news.Event
		want Invalidation
	}{
		{"settings", news.Event{Kind: news.EventSettingsChanged}, Invalidation{Everything: true, Chrome: true, Settings: true}},
		{"outlet page", news.Event{Kind: news.EventPageChanged}, Invalidation{Everything: true, Chrome: true}},
		{"ticker", news.Event{Kind: news.EventTickerChanged}, Invalidation{Tags: []string{"ticker"}, Chrome: true}},
		{"draft saved", with(news.EventArticleSaved, false), Invalidation{}},
		{"live entry", with(news.EventLiveEntryChanged, false), Invalidation{Tags: []string{"article:7"}}},
		{"correction", with(news.EventCorrectionChanged, false), Invalidation{Tags: []string{"article:7", "corrections"}}},
		{"most read of the site", news.Event{Kind: news.EventMostReadChanged, Site: true}, Invalidation{Tags: []string{"mostread"}}},
		{"most read of sections", news.Event{Kind: news.EventMostReadChanged, Sections: []int64{2, 3}},
			Invalidation{Tags: []string{"mostread:section:2", "mostread:section:3"}}},
		{"comment", with(news.EventCommentChanged, false), Invalidation{Tags: []string{"article:7", "home", "cards:section:2", "cards:tag:5", "cards:author:9"}}},
		{"text edit", with(news.EventArticleUpdated, false), Invalidation{Tags: []string{"article:7"}}},
		{"headline edit", with(news.EventArticleUpdated, true), Invalidation{Chrome: true,
			Tags: []string{"article:7", "home", "latest", "section:2", "tag:5", "author:9"}}},
		{"published", with(news.EventArticlePublished, false), Invalidation{Chrome: true,
			Tags: []string{"article:7", "home", "latest", "section:2", "tag:5", "author:9"}}},
	} {
		if got := Invalidates(c.ev); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestPurgeKeys: a cache in front purges the tags of Invalidates, or the
// one key every cached answer carries when everything changed.
func TestPurgeKeys(t *testing.T) {
	for _, c := range []struct {
		ev   news.Event
		want []string
	}{
		{news.Event{Kind: news.EventSettingsChanged}, []string{"all"}},
		{news.Event{Kind: news.EventPageChanged}, []string{"all"}},
		{news.Event{Kind: news.EventTickerChanged}, []string{"ticker"}},
		{news.Event{Kind: news.EventArticleSaved, ArticleID: 7}, nil},
		{news.Event{Kind: news.EventArticleUpdated, ArticleID: 7}, []string{"article:7"}},
	} {
		if got := PurgeKeys(c.ev); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q, want %q", c.ev.Kind, got, c.want)
		}
	}
}

// TestForEdge: cached answers carry the key "all"; with a CDN, a long
// s-maxage for shared caches while browsers keep max-age, but no longer
// than the page lasts on its own (a ticker line running out).
func TestForEdge(t *testing.T) {
	const cc = "public, max-age=30, stale-while-revalidate=60, stale-if-error=86400"
	edge := func(s string) string {
		return "public, max-age=30, s-maxage=" + s + ", stale-while-revalidate=60, stale-if-error=86400"
	}
	for _, c := range []struct {
		name    string
		edge    time.Duration
		cc      string
		expires time.Duration
		wantCC  string
		wantAll bool
	}{
		{"no CDN", 0, cc, 0, cc, true},
		{"CDN", 4 * time.Hour, cc, 0, edge("14400"), true},
		{"CDN, page expiring", 4 * time.Hour, cc, time.Hour + 30*time.Second, edge("3630"), true},
		{"CDN, page expiring within max-age", 4 * time.Hour, cc, 10 * time.Second, cc, true},
		{"other Cache-Control", 4 * time.Hour, "no-store", 0, "no-store", false},
	} {
		s := &Site{cc: cc, edge: c.edge, maxAge: 30 * time.Second}
		p := &render.Page{CacheControl: c.cc, Tags: []string{"home"}}
		if c.expires > 0 {
			// Whole seconds plus a margin, so the time the test takes
			// does not change the figure.
			p.Expires = time.Now().Add(c.expires + 500*time.Millisecond)
		}
		s.forEdge(p)
		if p.CacheControl != c.wantCC || slices.Contains(p.Tags, "all") != c.wantAll {
			t.Errorf("%s: %q, tags %q; want %q, all: %v", c.name, p.CacheControl, p.Tags, c.wantCC, c.wantAll)
		}
	}
}
