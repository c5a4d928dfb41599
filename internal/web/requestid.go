package web

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
)

// RequestIDHeader carries a request's id in from a proxy that made one
// and out to whoever reports a fault.
const RequestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// RequestID gives every request one id: a proxy's, when it is plainly an
// id, or a new one. The id goes back in the response header and into the
// context, where the log handler (LogHandler) and the error pages find it.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header()[RequestIDHeader] = []string{id}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestIDFrom is the id RequestID gave the request ctx belongs to, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID admits 8 to 64 letters, digits, '-' and '_': enough for
// a UUID or any proxy's token, and nothing that could forge a log line or
// a header (spaces, quotes, newlines, non-ASCII).
func validRequestID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// newRequestID is 16 hex digits. Ids correlate, they guard nothing, so
// the per-thread ChaCha8 source is enough, and costs no system call on
// every cache hit.
func newRequestID() string {
	s := strconv.FormatUint(rand.Uint64(), 16)
	return "0000000000000000"[len(s):] + s
}

// LogHandler adds the request id to every record logged with a request's
// context (logger.InfoContext(r.Context(), …)), so one id finds all a
// request did, whichever package logged it.
type LogHandler struct{ slog.Handler }

func (h LogHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestIDFrom(ctx); id != "" {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(attrs)}
}

func (h LogHandler) WithGroup(name string) slog.Handler { return LogHandler{h.Handler.WithGroup(name)} }
