// Package analytics counts readers without cookies and without third
// parties, in the manner of Plausible and GoatCounter: a page view is
// counted as it is served (or, behind a CDN, by a beacon), a visitor is a
// keyed hash of the day's salt, the site, the address and the browser,
// never kept in the clear, and the salt is thrown away with its day.
// Counting costs a page an append to a bounded buffer; a flusher writes
// the buffer in batches (store.AddHits), which also add to the per-minute,
// hourly and daily roll-ups «الأكثر قراءة» and the desk read.
package analytics

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"khabar/internal/store"
	"khabar/internal/web"
)

// Page kinds: what a view is a view of.
const (
	KindArticle = "article"
	KindLive    = "live" // an article with live coverage
	KindHome    = "home"
	KindSection = "section"
	KindTag     = "tag"
	KindAuthor  = "author"
)

// Page is what a view of a page counts as; pages carry it in the render
// cache (render.Page.Meta), so a cache hit counts without a query.
type Page struct {
	Kind      string
	ArticleID int64
	SectionID int64
}

// Options configure a Counter.
type Options struct {
	Store *store.Store
	// Site is the site's origin: part of every visitor's hash, and its
	// host marks referrers from the site itself.
	Site string
	// Buffer is how many views wait for the flusher at most; past it
	// views are dropped (and counted as dropped), never waited for.
	Buffer int
	// Every is how often the buffer is written.
	Every time.Duration
	// HonourOptOut, when it says so, skips readers whose browsers send Do
	// Not Track or Global Privacy Control (the outlet's setting).
	HonourOptOut func() bool
	Log          *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultBuffer = 100_000
	DefaultEvery  = 5 * time.Second
)

// Counter counts page views.
type Counter struct {
	o    Options
	host string

	mu  sync.Mutex
	buf []view
	// spare is the buffer the last flush emptied, taken again by the next:
	// two buffers, reused, so counting does not grow a new one each time.
	spare []view

	// flushing lets one flush run at a time: salt is the flusher's.
	flushing sync.Mutex
	// salt is the visitor hash of the day being counted, keyed with its
	// salt, the only one in memory: a new day's replaces it. msg is the
	// hashed message's buffer, reused.
	salt struct {
		day int64
		mac hash.Hash
		msg []byte
	}

	counted, dropped, failed atomic.Uint64
}

// view is a view waiting for the flusher. The address and the browser
// live here, in memory, until the flush hashes them a few seconds later;
// nothing else of them is ever kept.
type view struct {
	at       time.Time
	ip, ua   string
	referrer string
	page     Page
}

// New makes a Counter; Run flushes it.
func New(o Options) *Counter {
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HonourOptOut == nil {
		o.HonourOptOut = func() bool { return false }
	}
	return &Counter{o: o, host: hostOf(o.Site)}
}

// hostOf is the host of an origin, lowercased, for Group.
func hostOf(origin string) string {
	u, err := url.Parse(origin)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// Count counts r as a view of p unless it is a prefetch, plainly no
// browser's, or the reader opted out and the outlet honours it; crawlers
// that look like browsers are left out by the flusher (Crawler). It
// never waits: a full buffer drops the view.
func (c *Counter) Count(r *http.Request, p Page) {
	ua := header(r.Header, "User-Agent")
	if !browser(ua) || Prefetch(r.Header) || (OptedOut(r.Header) && c.o.HonourOptOut()) {
		return
	}
	v := view{at: c.o.Now(), ip: web.ClientIP(r), ua: ua, referrer: header(r.Header, "Referer"), page: p}
	c.mu.Lock()
	if len(c.buf) >= c.o.Buffer {
		c.mu.Unlock()
		c.dropped.Add(1)
		return
	}
	c.buf = append(c.buf, v)
	c.mu.Unlock()
}

// Run flushes every Options.Every until ctx ends, then once more, so a
// node that stops keeps what it counted.
func (c *Counter) Run(ctx context.Context) {
	t := time.NewTicker(c.o.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// The database is still open: App closes it after Run.
			flush, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			c.flushLogged(flush)
			cancel()
			return
		case <-t.C:
			c.flushLogged(ctx)
		}
	}
}

func (c *Counter) flushLogged(ctx context.Context) {
	if err := c.Flush(ctx); err != nil && c.o.Log != nil {
		c.o.Log.Error("write page views", "err", err)
	}
}

// Flush writes the buffered views. Views a failed write held are lost
// (and counted as failed) rather than kept: the buffer must stay bounded
// while the database is away.
func (c *Counter) Flush(ctx context.Context) error {
	c.flushing.Lock()
	defer c.flushing.Unlock()
	c.mu.Lock()
	views := c.buf
	c.buf, c.spare = c.spare[:0], nil
	c.mu.Unlock()
	defer func() {
		// Addresses and browsers go as soon as they are hashed.
		clear(views)
		c.mu.Lock()
		c.spare = views[:0]
		c.mu.Unlock()
	}()
	if len(views) == 0 {
		return nil
	}
	hits := make([]store.Hit, 0, len(views))
	for _, v := range views {
		if Crawler(v.ua) {
			continue
		}
		id, err := c.visitor(ctx, v)
		if err != nil {
			c.failed.Add(uint64(len(views)))
			return err
		}
		hits = append(hits, store.Hit{At: v.at, Visitor: id, Kind: v.page.Kind, ArticleID: v.page.ArticleID,
			SectionID: v.page.SectionID, Referrer: Group(v.referrer, c.host)})
	}
	if err := c.o.Store.AddHits(ctx, hits); err != nil {
		c.failed.Add(uint64(len(hits)))
		return err
	}
	c.counted.Add(uint64(len(hits)))
	return nil
}

// visitor is v's visitor hash: HMAC-SHA256 keyed with the salt of v's
// day over the site, the address and the browser, cut to 64 bits. The
// same reader on the same day hashes the same on every node (they share
// the day's salt); on another day, to something unrelated.
func (c *Counter) visitor(ctx context.Context, v view) (int64, error) {
	day := v.at.UTC().Truncate(24 * time.Hour)
	if c.salt.day != day.Unix() || c.salt.mac == nil {
		salt, err := c.o.Store.VisitorSalt(ctx, day)
		if err != nil {
			return 0, err
		}
		c.salt.day, c.salt.mac = day.Unix(), hmac.New(sha256.New, salt)
	}
	msg := c.salt.msg[:0]
	for _, part := range []string{c.o.Site, v.ip, v.ua} {
		msg = append(append(msg, part...), 0)
	}
	c.salt.msg = msg
	c.salt.mac.Reset()
	c.salt.mac.Write(msg)
	var sum [sha256.Size]byte
	return int64(binary.BigEndian.Uint64(c.salt.mac.Sum(sum[:0]))), nil
}

// Collectors are the counter's metrics; none for a nil Counter (no
// counting).
func (c *Counter) Collectors() []prometheus.Collector {
	if c == nil {
		return nil
	}
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "khabar_analytics_views_counted_total",
			Help: "Page views written to the database."}, func() float64 { return float64(c.counted.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "khabar_analytics_views_dropped_total",
			Help: "Page views dropped because the buffer was full."}, func() float64 { return float64(c.dropped.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "khabar_analytics_views_failed_total",
			Help: "Page views lost to a failed write."}, func() float64 { return float64(c.failed.Load()) }),
	}
}

// Dropped is how many views a full buffer dropped.
func (c *Counter) Dropped() uint64 { return c.dropped.Load() }
