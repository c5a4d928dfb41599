package alert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"khabar/internal/outbound"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sender delivers one alert to one recipient of its channel: a push
// subscription, a Telegram chat, an email address, a webhook. A nil error
// means delivered; otherwise OutcomeOf tells what to do next.
type Sender[R any] interface {
	Send(ctx context.Context, a *Alert, to R) error
}

// SendAll sends a to every recipient with at most workers sends at once and
// returns one error per recipient, in order.
func SendAll[R any](ctx context.Context, s Sender[R], a *Alert, to []R, workers int) []error {
	errs := make([]error, len(to))
	workers = max(1, min(workers, len(to)))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(to) {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				errs[i] = s.Send(ctx, a, to[i])
			}
		})
	}
	wg.Wait()
	return errs
}

// Outcome is what became of one delivery.
type Outcome int

const (
	// Delivered: the peer accepted the message.
	Delivered Outcome = iota
	// Gone: the recipient no longer exists (a push subscription answered
	// 404 or 410, a webhook 410, a mailbox that does not exist); remove it.
	Gone
	// Retry: a temporary failure (429, 5xx, a timeout, a dropped
	// connection); send again later, see Backoff.Next.
	Retry
	// Failed: a permanent failure (bad configuration, a rejected token or
	// key, a refused address); sending again will not help.
	Failed
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Gone:
		return "gone"
	case Retry:
		return "retry"
	}
	return "failed"
}

// Error is how every channel reports a delivery that did not happen.
type Error struct {
	Outcome Outcome
	Channel string // "webpush", "telegram", "email", "webhook"
	// Status is the peer's HTTP status or SMTP reply code; 0 when it
	// never answered.
	Status int
	// RetryAfter is the wait the peer asked for (Retry-After, Telegram's
	// retry_after); 0 when it did not say.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Channel, e.Outcome)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (status %d)", e.Status)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// OutcomeOf classifies the error a Send returned. Errors that did not come
// from a channel are judged by kind: cancellations and network timeouts
// are worth retrying, anything else is not.
func OutcomeOf(err error) Outcome {
	if err == nil {
		return Delivered
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Outcome
	}
	if transient(err) {
		return Retry
	}
	return Failed
}

func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// Backoff is capped exponential backoff with jitter, for Retry outcomes.
type Backoff struct {
	Base time.Duration // the first wait
	Max  time.Duration // no wait of ours is longer (the peer's may be)
}

// DefaultBackoff waits about 5 s, 10 s, 20 s … up to 15 minutes: alerts are
// news, and an hour-old one is hardly worth sending.
var DefaultBackoff = Backoff{Base: 5 * time.Second, Max: 15 * time.Minute}

// Delay is the wait before retry number attempt (0 for the first retry):
// Base·2^attempt capped at Max, of which a random half is taken off so that
// many failed deliveries do not come back at the same instant.
func (b Backoff) Delay(attempt int) time.Duration {
	d := b.Max
	if attempt < 32 && b.Base<<attempt > 0 && b.Base<<attempt < b.Max {
		d = b.Base << attempt
	}
	return d/2 + rand.N(d/2+1)
}

// Next is the wait before retrying after err: never shorter than what the
// peer asked for.
func (b Backoff) Next(err error, attempt int) time.Duration {
	d := b.Delay(attempt)
	if e, ok := errors.AsType[*Error](err); ok && e.RetryAfter > d {
		return e.RetryAfter
	}
	return d
}

// maxRetryAfter bounds what a peer may ask for, so a silly header cannot
// park a delivery for years (or overflow a Duration).
const maxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads an HTTP Retry-After value, seconds or an HTTP date
// (RFC 9110 section 10.2.3). A date in the past means now.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true // only too many digits fail here
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}

// classifyHTTP turns a peer's answer into nil or an *Error: 2xx delivered;
// 410 (and 404 where the peer says so by it) gone; 408, 429 and 5xx retry,
// honouring Retry-After; anything else failed. It consumes and closes the
// body, so the connection can be reused, and quotes its start.
func classifyHTTP(channel string, res *http.Response, goneOn404 bool) error {
	return classifyStatus(channel, res, readBody(res.Body), goneOn404)
}

func classifyStatus(channel string, res *http.Response, body []byte, goneOn404 bool) error {
	code := res.StatusCode
	if code/100 == 2 {
		return nil
	}
	e := &Error{Channel: channel, Status: code, Outcome: Failed, Err: fmt.Errorf("peer answered %s%s", res.Status, quote(body))}
	switch {
	case code == http.StatusGone, code == http.StatusNotFound && goneOn404:
		e.Outcome = Gone
	case code == http.StatusTooManyRequests, code == http.StatusRequestTimeout, code >= 500:
		e.Outcome = Retry
		e.RetryAfter, _ = ParseRetryAfter(res.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// readBody reads and closes a response body, at most 64 KiB of it: enough
// for any answer we parse, and what is left of a longer one is not worth
// reading to keep the connection.
func readBody(body io.ReadCloser) []byte {
	defer body.Close()
	data, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	return data
}

// quote returns the start of a peer's answer, cleaned, to put in an error.
func quote(body []byte) string {
	s := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(body[:min(len(body), 200)]), ""))
	if s = strings.TrimSpace(s); s != "" {
		return ": " + s
	}
	return ""
}

// transportError wraps a failed HTTP exchange without the request URL,
// which can hold a secret (a Telegram token) and has no place in logs.
// A refused address is permanent; anything else on the way is worth a retry.
func transportError(channel string, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	outcome := Retry
	if errors.Is(err, outbound.ErrForbiddenAddress) || errors.Is(err, outbound.ErrUnsafeURL) {
		outcome = Failed
	}
	return &Error{Channel: channel, Outcome: outcome, Err: err}
}
