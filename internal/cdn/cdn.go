// Package cdn purges the cache in front of the nodes (Varnish, Fastly or
// Cloudflare) by surrogate key, as one outbox consumer: every change of
// published state drops exactly the cached pages that show it, so those
// pages may be kept for hours (s-maxage) instead of seconds.
package cdn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The caches Khabar can purge.
const (
	Varnish    = "varnish"
	Fastly     = "fastly"
	Cloudflare = "cloudflare"
)

// Kinds are the values of --cdn, in the order the help lists them.
var Kinds = []string{Varnish, Fastly, Cloudflare}

// The public APIs' origins, used when --cdn-purge-url does not name
// another (tests point it at their own server).
const (
	FastlyAPI     = "https://api.fastly.com"
	CloudflareAPI = "https://api.cloudflare.com/client/v4"
)

// Purger drops every cached object tagged with any of the keys it is
// given, at most MaxKeys at a time.
type Purger interface {
	Purge(ctx context.Context, keys []string) error
	// MaxKeys is the most keys one request may carry.
	MaxKeys() int
	// Name is the kind of cache, for logs and metrics.
	Name() string
}

// Options name the cache and how to reach it.
type Options struct {
	Kind string
	// URLs: for Varnish, the address of every Varnish to purge
	// (http://host:port); for Fastly and Cloudflare, their API's origin
	// (empty: the public one).
	URLs []string
	// Soft marks objects stale instead of removing them (Varnish's
	// xkey-softpurge, Fastly's Fastly-Soft-Purge): readers get the old
	// page once more while a fresh one is fetched.
	Soft bool
	// Service is Fastly's service id, Zone Cloudflare's zone id.
	Service, Zone string
	// Token is Fastly's API token (Fastly-Key) or Cloudflare's (Bearer).
	Token string
	// Client sends the purges; nil: one with a 10 s timeout.
	Client *http.Client
}

// New makes the Purger o names. The options are checked by the
// configuration (internal/config); New only refuses what it cannot use.
func New(o Options) (Purger, error) {
	c := o.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	api := func(def string) string {
		if len(o.URLs) > 0 {
			return strings.TrimSuffix(o.URLs[0], "/")
		}
		return def
	}
	switch o.Kind {
	case Varnish:
		if len(o.URLs) == 0 {
			return nil, errors.New("cdn: varnish needs the address of at least one Varnish")
		}
		return &varnish{urls: o.URLs, soft: o.Soft, client: c}, nil
	case Fastly:
		if o.Service == "" || o.Token == "" {
			return nil, errors.New("cdn: fastly needs a service id and a token")
		}
		return &fastly{api: api(FastlyAPI), service: o.Service, token: o.Token, soft: o.Soft, client: c}, nil
	case Cloudflare:
		if o.Zone == "" || o.Token == "" {
			return nil, errors.New("cdn: cloudflare needs a zone id and a token")
		}
		if o.Soft {
			return nil, errors.New("cdn: cloudflare has no soft purge")
		}
		return &cloudflare{api: api(CloudflareAPI), zone: o.Zone, token: o.Token, client: c}, nil
	}
	return nil, fmt.Errorf("cdn: unknown kind %q (want %s)", o.Kind, strings.Join(Kinds, ", "))
}

// statusError is a purge the cache answered with an error status.
type statusError struct {
	status int
	body   string
	// retryAfter is what a 429 or 503 asked us to wait, if it said.
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("answered %d: %s", e.status, e.body)
}

// send does req and returns the answer's body when its status is 2xx,
// else a *statusError with the start of the body (the API's reason).
func send(c *http.Client, req *http.Request) ([]byte, error) {
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if res.StatusCode/100 != 2 {
		e := &statusError{status: res.StatusCode, body: strings.TrimSpace(string(body[:min(len(body), 300)]))}
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
			e.retryAfter = time.Duration(s) * time.Second
		}
		if e.body == "" {
			e.body = res.Status
		}
		return nil, e
	}
	return body, nil
}
