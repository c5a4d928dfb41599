package site

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	serveEvents(w, r, s.live, topic)
}

// serveEvents streams topic to the page as Server-Sent Events until it
// leaves or falls too far behind.
func serveEvents(w http.ResponseWriter, r *http.Request, hub *live.Hub, topic string) {
	// A reconnecting stream says what it saw last; a page opening one says
	// which event it was rendered at.
	seen := r.Header.Get("Last-Event-ID")
	if seen == "" {
		seen = r.URL.Query().Get("since")
	}
	last, err := strconv.ParseInt(seen, 10, 64)
	sub, err := hub.Subscribe(topic, web.ClientIP(r), last, err == nil && last >= 0)
	if err != nil {
		status := web.Status(err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	// The server's write timeout protects ordinary pages; a stream is
	// meant to stay open.
	rc.SetWriteDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	rc.Flush()
	tick := time.NewTicker(hub.KeepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.Gone:
			return
		case m := <-sub.C:
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, m.Event, m.Data); err != nil {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
