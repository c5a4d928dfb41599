package cdn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"khabar/internal/news"
)

// Consumer is the outbox consumer that purges (outbox.Consumer's
// HandleBatch): each batch of events becomes one purge of the keys they
// touch, split into requests of at most Purger.MaxKeys keys.
//
// Every node runs it, and every node sees every event; Claim makes sure
// one node purges each event. A node claims the events of a batch that
// no node claimed yet before it purges them, and keeps what it claimed
// until the purge went through, so a purge that fails is retried (the
// outbox retries the batch) by the node that claimed it.
type Consumer struct {
	Purger Purger
	// Keys are the surrogate keys an event makes stale (site.PurgeKeys).
	Keys func(news.Event) []string
	// Claim moves the nodes' shared purge position up to id and returns
	// where it was, ok false when another node had got there first
	// (store.ClaimEvents).
	Claim func(ctx context.Context, id int64) (from int64, ok bool, err error)
	Log   *slog.Logger
	// Backoff between the attempts at one request; a 429 or 503 that
	// says how long to wait (Retry-After) is waited, up to a minute.
	Backoff []time.Duration
	// Finish is how long a purge already claimed may run on once the
	// node is told to stop, so a stop does not lose it.
	Finish time.Duration
	// Seen is the last event the node's own page cache has handled. A
	// purge waits for it: the CDN refetches from the nodes at once, and a
	// node still holding the old page would put it back for hours.
	Seen func() int64
	// Late is how old an event may be when this node first handles it
	// before the node purges its keys too, claimed or not: a node that
	// learnt of it late (its notifications cut, found by the poll) may
	// have given the CDN the old page after the claimer's purge. Zero:
	// never.
	Late time.Duration

	// owed are the events this node claimed and has not purged yet.
	owed    []span
	metrics *Metrics
}

// span is the events after from, up to to.
type span struct{ from, to int64 }

func (c *Consumer) owes(id int64) bool {
	for _, s := range c.owed {
		if id > s.from && id <= s.to {
			return true
		}
	}
	return false
}

// DefaultBackoff is the pause before each retry of a failed request.
var DefaultBackoff = []time.Duration{250 * time.Millisecond, time.Second, 4 * time.Second}

// HandleBatch purges the keys of the events in evs this node claimed.
func (c *Consumer) HandleBatch(ctx context.Context, evs []news.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if !slices.ContainsFunc(evs, func(ev news.Event) bool { return len(c.Keys(ev)) > 0 }) && len(c.owed) == 0 {
		// Nothing public changed (drafts, uploads): no claim to write;
		// the next claim's range takes these events in.
		return nil
	}
	last := evs[len(evs)-1].ID
	from, ok, err := c.Claim(ctx, last)
	if err != nil {
		return err
	}
	if ok {
		c.owed = append(c.owed, span{from, last})
	}
	var keys []string
	seen := map[string]bool{}
	var oldest time.Time
	var upTo int64
	now := time.Now()
	for _, ev := range evs {
		if !c.owes(ev.ID) && (c.Late <= 0 || now.Sub(ev.At) <= c.Late) {
			continue // another node's
		}
		upTo = ev.ID
		for _, k := range c.Keys(ev) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		if oldest.IsZero() || ev.At.Before(oldest) {
			oldest = ev.At
		}
	}
	if len(keys) == 0 {
		c.owed = nil
		return nil
	}
	// Claimed: finish it even if the node is stopping, else no node
	// would purge these keys; but a stopping node tries each request no
	// more than the once under way.
	finish := c.Finish
	if finish <= 0 {
		finish = 15 * time.Second
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finish)
	defer cancel()
	c.waitSeen(pctx, upTo)
	m := c.Metrics()
	for chunk := range slices.Chunk(keys, c.Purger.MaxKeys()) {
		if err := c.purge(pctx, ctx.Done(), chunk); err != nil {
			return fmt.Errorf("purge %d keys at %s: %w", len(chunk), c.Purger.Name(), err)
		}
		m.keys.Add(float64(len(chunk)))
	}
	c.owed = nil
	if !oldest.IsZero() {
		m.delay.Observe(time.Since(oldest).Seconds())
	}
	return nil
}

// waitSeen waits until the node's page cache has handled event id, or
// ctx ends (the purge then goes ahead: better a purge the node may undo
// than none).
func (c *Consumer) waitSeen(ctx context.Context, id int64) {
	if c.Seen == nil {
		return
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for c.Seen() < id {
		select {
		case <-ctx.Done():
			c.Log.Warn("cdn purge: the page cache has not reached the event; purging anyway", "event", id, "page_cache_at", c.Seen())
			return
		case <-t.C:
		}
	}
}

// purge sends one request, retrying with backoff until stopping.
func (c *Consumer) purge(ctx context.Context, stopping <-chan struct{}, keys []string) error {
	backoff := c.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	m := c.Metrics()
	for attempt := 0; ; attempt++ {
		start := time.Now()
		err := c.Purger.Purge(ctx, keys)
		m.seconds.Observe(time.Since(start).Seconds())
		if err == nil {
			m.requests.WithLabelValues("ok").Inc()
			return nil
		}
		m.requests.WithLabelValues("error").Inc()
		select {
		case <-stopping:
			return fmt.Errorf("%w (not retried: the node is stopping)", err)
		default:
		}
		if attempt >= len(backoff) || ctx.Err() != nil {
			return err
		}
		wait := backoff[attempt]
		if se := (*statusError)(nil); errors.As(err, &se) && se.retryAfter > 0 {
			wait = min(se.retryAfter, time.Minute)
		}
		c.Log.Warn("cdn purge failed; retrying", "cdn", c.Purger.Name(), "keys", len(keys), "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up: %w)", err, ctx.Err())
		case <-stopping:
			return fmt.Errorf("%w (not retried: the node is stopping)", err)
		case <-time.After(wait):
		}
	}
}

// Metrics are the purges' counts and timings.
type Metrics struct {
	requests *prometheus.CounterVec
	seconds  prometheus.Histogram
	keys     prometheus.Counter
	delay    prometheus.Histogram
}

// Metrics are c's metrics (made on first use).
func (c *Consumer) Metrics() *Metrics {
	if c.metrics == nil {
		name := c.Purger.Name()
		labels := prometheus.Labels{"cdn": name}
		c.metrics = &Metrics{
			requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "khabar_cdn_purge_requests_total",
				Help: "Purge requests sent to the CDN, by outcome (ok, error; each retry counts).", ConstLabels: labels}, []string{"outcome"}),
			seconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "khabar_cdn_purge_request_seconds",
				Help: "How long the CDN took to answer a purge request.", ConstLabels: labels, Buckets: prometheus.DefBuckets}),
			keys: prometheus.NewCounter(prometheus.CounterOpts{Name: "khabar_cdn_purged_keys_total",
				Help: "Surrogate keys purged at the CDN.", ConstLabels: labels}),
			delay: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "khabar_cdn_purge_delay_seconds",
				Help:        "From the oldest event of a batch being written to its keys purged at the CDN: how long readers may see the old page.",
				ConstLabels: labels, Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}}),
		}
		// Both outcomes from the start, so a rate of errors is 0, not absent.
		c.metrics.requests.WithLabelValues("ok")
		c.metrics.requests.WithLabelValues("error")
	}
	return c.metrics
}

// Collectors are c's metrics for the node's registry; none when c is
// nil (no CDN).
func (c *Consumer) Collectors() []prometheus.Collector {
	if c == nil {
		return nil
	}
	m := c.Metrics()
	return []prometheus.Collector{m.requests, m.seconds, m.keys, m.delay}
}
