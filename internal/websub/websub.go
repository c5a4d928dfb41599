// Package websub tells WebSub hubs that our feeds changed, so subscribers
// (aggregators, feed readers) fetch them at once instead of polling.
package websub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/settings"
	"khabar/internal/store"
)

// Pinger posts hub.mode=publish notifications.
type Pinger struct {
	Store *store.Store
	// Settings name the hubs (they can change at any time).
	Settings *settings.Live
	// Base is the site's public origin, which feed URLs start with.
	Base string
	// Guard is where hubs may be: an admin names them, and the server
	// must not be made to post into its own network.
	Guard outbound.Guard
	Log   *slog.Logger
	// Backoff between the attempts at one hub.
	Backoff []time.Duration

	clientOnce sync.Once
	client     *http.Client // the guard's, made once so connections are reused
}

// HandleEvent is the outbox consumer: on any change of a public article,
// it pings every hub. A hub that keeps failing is logged and skipped, so one
// dead hub never holds back the others or later events.
func (p *Pinger) HandleEvent(ctx context.Context, ev news.Event) error {
	switch ev.Kind {
	case news.EventArticlePublished, news.EventArticleUnpublished, news.EventArticleUpdated, news.EventCorrectionChanged:
		// Feeds carry full text, corrections and notes included, so even
		// a body-only correction changes them.
	default:
		return nil
	}
	hubs := p.Settings.Get().Hubs()
	if len(hubs) == 0 {
		return nil
	}
	feeds, err := p.feeds(ctx, ev)
	if err != nil {
		return err
	}
	form := url.Values{"hub.mode": {"publish"}, "hub.url": feeds}
	for _, hub := range hubs {
		if err := p.ping(ctx, hub, form); err != nil {
			if ctx.Err() != nil {
				// Shutting down: the event stays unhandled, and the
				// next start pings again.
				return ctx.Err()
			}
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
		if attempt >= len(p.Backoff) || errors.Is(err, outbound.ErrForbiddenAddress) {
			return err // a refused address stays refused
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
	p.clientOnce.Do(func() { p.client = p.Guard.Client(nil) })
	res, err := p.client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("hub answered %s", res.Status)
	}
	return nil
}

// feeds lists the absolute URLs of the feeds an event changes: the
// site's and those of the sections it touches, with their parents (whose
// feeds carry their subsections' articles).
func (p *Pinger) feeds(ctx context.Context, ev news.Event) ([]string, error) {
	var out []string
	add := func(kind, slug string) {
		for _, f := range news.FeedFiles {
			out = append(out, p.Base+news.FeedPath(kind, slug, f))
		}
	}
	add("", "")
	secs, err := p.Store.ListSections(ctx)
	if err != nil {
		return nil, err
	}
	touched := slices.Clone(ev.Sections)
	for _, sec := range secs {
		if slices.Contains(ev.Sections, sec.ID) && sec.ParentID != 0 && !slices.Contains(touched, sec.ParentID) {
			touched = append(touched, sec.ParentID)
		}
	}
	for _, sec := range secs {
		if slices.Contains(touched, sec.ID) {
			add(news.ListSection, sec.Slug)
		}
	}
	return out, nil
}
