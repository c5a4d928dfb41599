// Package throttle keeps token buckets per key (an address, an account):
// how often one person may log in, comment or search. It knows nothing of
// HTTP; the surfaces decide what the key is.
package throttle

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimiterKeys bounds a Limiter's memory under a spray of keys (IPs);
// past it the table starts afresh, which only ever errs towards allowing.
const maxLimiterKeys = 100000

// Limiter is a token bucket per key (an IP, an account): burst requests at
// once, then one per refill period.
type Limiter struct {
	mu      sync.Mutex
	burst   int
	every   time.Duration
	buckets map[string]*rate.Limiter
	// shared, when set (Share), keeps the buckets where every node sees
	// them, under scope; the local buckets stand in while it fails.
	shared Shared
	scope  string
	log    *slog.Logger
}

// Shared keeps token buckets in one place for every node (the database):
// a limit that must hold for the site, such as login attempts, would
// otherwise allow as many tries as there are nodes.
type Shared interface {
	TakeToken(ctx context.Context, scope, key string, burst int, every time.Duration, now time.Time) (bool, error)
	ResetToken(ctx context.Context, scope, key string) error
}

// sharedTimeout bounds a shared bucket's answer; past it the node's own
// bucket decides, so a slow database never holds a login or a comment.
const sharedTimeout = 2 * time.Second

// Share keeps l's buckets in shared, named scope. A failure of shared is
// logged and the node's own bucket decides that request: a limit per
// node for as long as the database is away, rather than none or a site
// that refuses everyone.
func (l *Limiter) Share(shared Shared, scope string, log *slog.Logger) {
	l.shared, l.scope, l.log = shared, scope, log
}

// NewLimiter allows burst requests per key, refilled one per every.
func NewLimiter(burst int, every time.Duration) *Limiter {
	return &Limiter{burst: burst, every: every, buckets: map[string]*rate.Limiter{}}
}

// Take spends a token of key; false when none is left. A nil Limiter
// allows everything.
func (l *Limiter) Take(key string) bool {
	if l == nil {
		return true
	}
	if l.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		ok, err := l.shared.TakeToken(ctx, l.scope, key, l.burst, l.every, time.Now())
		cancel()
		if err == nil {
			return ok
		}
		l.log.Warn("shared rate limit unavailable; this node's own decides", "scope", l.scope, "err", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxLimiterKeys {
			l.buckets = map[string]*rate.Limiter{}
		}
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	return b.Allow()
}

// Reset forgets key, as after a successful login.
func (l *Limiter) Reset(key string) {
	if l.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		if err := l.shared.ResetToken(ctx, l.scope, key); err != nil {
			l.log.Warn("shared rate limit not reset", "scope", l.scope, "err", err)
		}
		cancel()
	}
	l.mu.Lock()
	delete(l.buckets, key)
	l.mu.Unlock()
}

// Address is the key of a client address ip: an IPv6 address stands for
// its /64, the smallest block a provider hands one subscriber, so that a
// single client cannot walk its 2⁶⁴ addresses to get a fresh budget for
// each. IPv4 (mapped or not) stays whole; anything unparsable is its own
// key.
func Address(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// LogAddress is how an address (or an Address key) appears in logs: its
// network, an IPv4 /24 or an IPv6 /48, enough to see that attempts come
// from one provider's block without keeping who made them. Anything
// unparsable is dropped ("-"): it is the client's text.
func LogAddress(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		p, perr := netip.ParsePrefix(ip)
		if perr != nil {
			return "-"
		}
		a = p.Addr()
	}
	bits := 48
	if a = a.Unmap(); a.Is4() {
		bits = 24
	}
	p, _ := a.WithZone("").Prefix(bits)
	return p.String()
}
