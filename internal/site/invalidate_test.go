package site

import (
	"reflect"
	"testing"

	"khabar/internal/news"
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
