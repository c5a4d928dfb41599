package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"khabar/internal/web"
)

// Health probe paths.
const (
	HealthPath = "/healthz"
	ReadyPath  = "/readyz"
)

// readyTimeout bounds the database's answer to a readiness probe: a probe
// that hangs tells a load balancer nothing.
const readyTimeout = 2 * time.Second

// health answers the probes ahead of the page cache, the rate limits and
// the access log: a load balancer asks every few seconds, from one
// address, and must never get a cached answer.
func (a *App) health(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != HealthPath && r.URL.Path != ReadyPath {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			web.JSONStatus(w, r, http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == HealthPath {
			// Alive is all it says: no database, so a slow database never
			// gets a live node restarted.
			h := w.Header()
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			w.Write([]byte("ok\n"))
			return
		}
		check, reason := a.ready(r.Context())
		if check == "" {
			web.JSON(w, http.StatusOK, "no-store", map[string]any{"ready": true})
			return
		}
		a.log.WarnContext(r.Context(), "not ready", "check", check, "reason", reason)
		web.JSON(w, http.StatusServiceUnavailable, "no-store", map[string]any{"ready": false, "failed": check, "reason": reason})
	})
}

// ready runs the readiness checks in order: the database answers in
// time, every migration is applied, and no consumer of this node has
// left an event waiting longer than --ready-outbox-lag. It returns the
// first check that fails and why, in words fit for anyone who can reach
// the probe (the database's own error goes to the log).
func (a *App) ready(ctx context.Context) (check, reason string) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	unreachable := func(err error) (string, string) {
		a.log.WarnContext(ctx, "readiness: database", "err", err)
		if errors.Is(err, context.DeadlineExceeded) {
			return "database", fmt.Sprintf("no answer within %s", readyTimeout)
		}
		return "database", "the query failed (see the log)"
	}
	pending, err := a.Store.PendingMigrations(ctx)
	if err != nil {
		return unreachable(err)
	}
	if len(pending) > 0 {
		return "migrations", fmt.Sprintf("%d not applied, from %s on (run khabar migrate)", len(pending), pending[0])
	}
	consumer, last := a.Outbox.Behind()
	at, waiting, err := a.Store.EventWrittenAfter(ctx, last)
	if err != nil {
		return unreachable(err)
	}
	if age := time.Since(at); waiting && age > a.cfg.ReadyOutboxLag {
		return "outbox", fmt.Sprintf("consumer %s has left an event waiting %s (limit %s)", consumer, age.Round(time.Second), a.cfg.ReadyOutboxLag)
	}
	return "", ""
}
