package site

import (
	"context"
	"net/http"
	"strings"

	"khabar/internal/live"
	"khabar/internal/news"
	"khabar/internal/outbox"
	"khabar/internal/web"
)

// tickerTopic is the live topic of the ticker, on every page.
const tickerTopic = "ticker"

// Consumers are the site's outbox consumers: the page cache, which drops
// the pages an event changes, and the live hub's, which sends open pages
// what changed (the ticker, comments, live blogs) as the HTML or JSON the
// page itself would show.
func (s *Site) Consumers() []outbox.Consumer {
	return []outbox.Consumer{
		{Name: outbox.PageCache, Handle: s.HandleEvent},
		{Name: outbox.Live, Handle: s.liveEvent},
	}
}

func (s *Site) liveEvent(ctx context.Context, ev news.Event) error {
	switch {
	case ev.Kind == news.EventCommentChanged:
		return s.commentChanged(ctx, ev)
	case ev.Kind == news.EventLiveEntryChanged, ev.Kind == news.EventLiveCoverageChanged:
		return s.liveBlogChanged(ctx, ev)
	case ev.Kind == news.EventTickerChanged, ev.Kind == news.EventArticlePublished, ev.Kind == news.EventArticleUnpublished,
		ev.Kind == news.EventArticleUpdated && ev.Listing:
		return s.tickerChanged(ctx, ev)
	}
	return nil
}

// liveTopic is GET /live?topic=…: the live stream of the ticker, of an
// article's comments or of its live blog.
func (s *Site) liveTopic(w http.ResponseWriter, r *http.Request) {
	topic := r.URL.Query().Get("topic")
	if topic != tickerTopic {
		kind, rest, _ := strings.Cut(topic, "/")
		id, valid := web.PositiveID(rest)
		switch {
		case valid && kind == "comments":
			topic = commentsTopic(id)
		case valid && kind == "liveblog":
			topic = liveBlogTopic(id)
		default:
			http.Error(w, "unknown topic: use ticker, comments/{article id} or liveblog/{article id}", http.StatusBadRequest)
			return
		}
	}
	live.Serve(w, r, s.live, topic, web.ClientIP(r))
}
