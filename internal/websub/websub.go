// Package websub tells WebSub hubs that our feeds changed, so subscribers
// (aggregators, feed readers) fetch them at once instead of polling.
package websub

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"khabar/internal/news"
)

// ConsumerName is the pinger's durable outbox cursor: a ping missed while
// the server was down is sent after the restart.
const ConsumerName = "websub"

// Pinger posts hub.mode=publish notifications.
type Pinger struct {
	// Hubs returns the configured hub URLs (settings can change at any time).
	Hubs func() []string
	// Feeds returns the absolute URLs of the feeds an event changed.
	Feeds  func(ctx context.Context, ev news.Event) ([]string, error)
	Client *http.Client
	Log    *slog.Logger
	// Backoff between the attempts at one hub.
	Backoff []time.Duration
}

// HandleEvent is the outbox consumer: on any change of a public article,
// it pings every hub. A hub that keeps failing is logged and skipped, so one
// dead hub never holds back the others or later events.
func (p *Pinger) HandleEvent(ctx context.Context, ev news.Event) error {
	switch ev.Kind {
	case news.EventArticlePublished, news.EventArticleUnpublished, news.EventArticleUpdated:
		// Feeds carry full text, so even a body-only correction changes them.
	default:
		return nil
	}
	hubs := p.Hubs()
	if len(hubs) == 0 {
		return nil
	}
	feeds, err := p.Feeds(ctx, ev)
	if err != nil {
		return err
	}
	form := url.Values{"hub.mode": {"publish"}, "hub.url": feeds}
	for _, hub := range hubs {
		if err := p.ping(ctx, hub, form); err != nil {
			p.Log.Error("websub ping failed; giving up on this event for this hub", "hub", hub, "event", ev.ID, "err", err)
		}
	}
	return nil
}

func (p *Pinger) ping(ctx context.Context, hub string, form url.Values) error {
	var err error
	for attempt := 0; ; attempt++ {
		if err = p.post(ctx, hub, form); err == nil {
			return nil
		}
		if attempt >= len(p.Backoff) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.Backoff[attempt]):
		}
	}
}

func (p *Pinger) post(ctx context.Context, hub string, form url.Values) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hub, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := p.Client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("hub answered %s", res.Status)
	}
	return nil
}
