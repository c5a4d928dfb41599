// Package outbox delivers the events table to the consumers in this
// process, in order. The table is the truth: a consumer resumes from the
// last id it finished, so nothing written is ever skipped.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// Consumer names, all here so two can never share one. A durable
// consumer's name keys its position in event_cursors, so it is never
// changed.
const (
	PageCache = "pagecache" // the site's render cache
	Live      = "live"      // the hub open pages follow
	Settings  = "settings"  // every node's settings snapshot
	Jobs      = "jobs"      // turns plans and uploads into River jobs
	Desk      = "desk"      // the wire desk's open pages
	// Durable: they must see every event, even those written while the
	// node was down.
	//
	// Search's name carries the analyser's generation: when what
	// internal/arabic makes of a text changes, the number goes up, the
	// new name has no position, and every node's start rebuilds the index
	// (search.Service.EnsureIndex) rather than match new query terms
	// against old ones. 2: hamza carriers fold, stop words as typed,
	// compound names cut. 3: live-blog entries in their article's text.
	// 4: headline prefixes for search as you type (the typeahead table).
	// (A change to one database's index alone is a migration forgetting
	// the position there, as sqlite/0041_search_signed_rowids does.)
	Search         = "search.4"
	WebSub         = "websub"
	Alerts         = "alerts"
	CommentNotices = "comment-notices"
	// CDN purges the cache in front (internal/cdn). CDNClaims is not a
	// consumer: it is the row through which the nodes share out the
	// purges, so each change is purged once however many nodes run.
	CDN       = "cdn"
	CDNClaims = "cdn.claims"
)

// Consumer handles events. Handle is called once per event, in id order;
// an error makes the dispatcher retry the same event later.
type Consumer struct {
	Name string
	// Durable consumers keep their position in the database and, after a
	// restart, resume where they stopped. Others (in-memory caches, which
	// start empty) begin at the newest event.
	Durable bool
	Handle  func(ctx context.Context, ev news.Event) error
	// HandleBatch, when set instead of Handle, gets every event waiting
	// at once (up to 500, in id order), so a consumer that pays per
	// request (a CDN's purge API) sends one for all of them. An error
	// retries the whole batch.
	HandleBatch func(ctx context.Context, evs []news.Event) error
	// Gather, with HandleBatch, is how long to wait once woken before
	// reading the events, so those written in that time come in the
	// same batch.
	Gather time.Duration
	// External consumers talk to a service outside the node (a CDN):
	// their lag says nothing about whether the node can serve, so the
	// readiness check (Behind) leaves them out; an outage of that
	// service must not take every node out of the load balancer.
	External bool
}

// Dispatcher reads events and hands them to consumers, each in its own
// goroutine so a slow one never holds up another.
type Dispatcher struct {
	store *store.Store
	poll  time.Duration
	log   *slog.Logger
	wg    sync.WaitGroup

	mu    sync.Mutex
	from  *int64 // see StartFrom
	subs  []*sub
	ready chan struct{} // closed whenever a consumer advances; replaced after
}

type sub struct {
	Consumer
	wake chan struct{}
	last int64
}

// New makes a dispatcher that also polls every poll interval, which is what
// picks up events written by other nodes until a wake-up channel exists.
func New(s *store.Store, poll time.Duration, log *slog.Logger) *Dispatcher {
	d := &Dispatcher{store: s, poll: poll, log: log, ready: make(chan struct{})}
	s.OnEvents(d.Wake)
	return d
}

// Subscribe adds a consumer; call it before Run.
func (d *Dispatcher) Subscribe(c Consumer) {
	d.mu.Lock()
	d.subs = append(d.subs, &sub{Consumer: c, wake: make(chan struct{}, 1)})
	d.mu.Unlock()
}

// Wake makes every consumer look for new events now.
func (d *Dispatcher) Wake() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.subs {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// StartFrom fixes where consumers without a saved position begin: call it
// with the newest event id before reading the state those consumers keep
// in memory, so no event between that read and Start is skipped.
func (d *Dispatcher) StartFrom(id int64) {
	d.mu.Lock()
	d.from = &id
	d.mu.Unlock()
}

// Start fixes each consumer's starting position, then delivers events in
// the background until ctx ends; Wait waits for that.
func (d *Dispatcher) Start(ctx context.Context) error {
	d.mu.Lock()
	from := d.from
	d.mu.Unlock()
	var newest int64
	if from != nil {
		newest = *from
	} else {
		var err error
		if newest, err = d.store.LastEventID(ctx); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	d.mu.Lock()
	subs := append([]*sub(nil), d.subs...)
	d.mu.Unlock()
	for _, s := range subs {
		start := newest
		if s.Durable {
			id, ok, err := d.store.Cursor(ctx, s.Name)
			if err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
			if ok {
				start = id
			} else if err := d.store.SaveCursor(ctx, s.Name, start); err != nil {
				// A new durable consumer begins here, and so must its next
				// start: events written while no node runs (an alert whose
				// node died after the commit) are not skipped then.
				return fmt.Errorf("outbox: %w", err)
			}
		}
		d.advance(s, start)
	}
	for _, s := range subs {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.loop(ctx, s)
		}()
	}
	// Other nodes' events: a PostgreSQL notification wakes us at once; the
	// poll stays as the fallback.
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.store.ListenEvents(ctx, d.Wake, func(err error) { d.log.Warn("outbox: event notifications interrupted; polling meanwhile", "err", err) })
	}()
	return nil
}

// Wait returns when every consumer goroutine has stopped.
func (d *Dispatcher) Wait() { d.wg.Wait() }

func (d *Dispatcher) loop(ctx context.Context, s *sub) {
	t := time.NewTicker(d.poll)
	defer t.Stop()
	backoff := time.Duration(0)
	for {
		if err := d.drain(ctx, s); err != nil && ctx.Err() == nil {
			backoff = min(max(2*backoff, 100*time.Millisecond), 30*time.Second)
			d.log.Error("outbox consumer failed; will retry", "consumer", s.Name, "err", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
		if s.Gather > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(s.Gather):
			}
		}
	}
}

// drain hands over every event after the consumer's position.
func (d *Dispatcher) drain(ctx context.Context, s *sub) error {
	for {
		evs, err := d.store.EventsAfter(ctx, d.position(s), 500)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		if s.HandleBatch != nil {
			last := evs[len(evs)-1].ID
			if err := s.HandleBatch(ctx, evs); err != nil {
				return fmt.Errorf("events %d to %d: %w", evs[0].ID, last, err)
			}
			if s.Durable {
				if err := d.store.SaveCursor(ctx, s.Name, last); err != nil {
					return err
				}
			}
			d.advance(s, last)
			continue
		}
		for _, ev := range evs {
			if err := s.Handle(ctx, ev); err != nil {
				return fmt.Errorf("event %d (%s): %w", ev.ID, ev.Kind, err)
			}
			if s.Durable {
				if err := d.store.SaveCursor(ctx, s.Name, ev.ID); err != nil {
					return err
				}
			}
			d.advance(s, ev.ID)
		}
	}
}

func (d *Dispatcher) position(s *sub) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return s.last
}

func (d *Dispatcher) advance(s *sub, id int64) {
	d.mu.Lock()
	s.last = id
	close(d.ready)
	d.ready = make(chan struct{})
	d.mu.Unlock()
}

// Position is the last event the consumer name has handled on this
// node (0 when no such consumer is subscribed).
func (d *Dispatcher) Position(name string) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.subs {
		if s.Name == name {
			return s.last
		}
	}
	return 0
}

// Behind is the consumer furthest behind and the last event it handled,
// for the readiness check; name is "" when no consumer is subscribed.
// External consumers are left out.
func (d *Dispatcher) Behind() (name string, last int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.subs {
		if s.External {
			continue
		}
		if name == "" || s.last < last {
			name, last = s.Name, s.last
		}
	}
	return name, last
}

// WaitFor blocks until every consumer has handled event id, or ctx ends.
// Tests and the demo loader use it instead of sleeping.
func (d *Dispatcher) WaitFor(ctx context.Context, id int64) error {
	for {
		d.mu.Lock()
		done := true
		for _, s := range d.subs {
			if s.last < id {
				done = false
			}
		}
		ready := d.ready
		d.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("outbox: waiting for event %d: %w", id, ctx.Err())
		case <-ready:
		}
	}
}
