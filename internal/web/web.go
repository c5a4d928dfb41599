// Package web is Khabar's HTTP plumbing: middleware shared by the site,
// the newsroom and the API.
package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"khabar/internal/news"
)

// Limits on requests; anything larger is refused before routing.
// Percent-encoded Arabic takes six bytes a letter, so a search of a few
// hundred letters needs a few kilobytes of query string.
const (
	MaxURLBytes   = 8192
	MaxQueryBytes = 6144
	MaxFormBytes  = 2 << 20
)

// ErrorPage writes an error response for status; each front end (site,
// newsroom) brings its own so readers get an Arabic page.
type ErrorPage func(w http.ResponseWriter, r *http.Request, status int)

// APIPrefix is where the JSON API lives. Middleware that answers before
// any surface sees the request (an overlong URL, a panic) answers there
// in JSON, as docs/API.md promises, and elsewhere with the error page.
const APIPrefix = "/api/"

func answer(page ErrorPage, w http.ResponseWriter, r *http.Request, status int) {
	if strings.HasPrefix(r.URL.Path, APIPrefix) {
		JSONStatus(w, r, status)
		return
	}
	page(w, r, status)
}

// Recover turns a panic into a logged 500 instead of a dropped connection.
func Recover(log *slog.Logger, errPage ErrorPage, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				answer(errPage, w, r, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Limit refuses overlong URLs and caps request bodies.
func Limit(errPage ErrorPage, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > MaxURLBytes || len(r.URL.RawQuery) > MaxQueryBytes {
			answer(errPage, w, r, http.StatusRequestURITooLong)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// Header values are built once; assigning a shared slice to a canonical key
// costs nothing per request.
var (
	hdrNosniff  = []string{"nosniff"}
	hdrReferrer = []string{"strict-origin-when-cross-origin"}
	hdrCSP      = []string{"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
		"frame-src https://www.youtube-nocookie.com; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"}
)

// SecurityHeaders sets the headers of DESIGN.md §6 on every response, and
// no more: each header is work on every cache hit. frame-ancestors in the
// CSP replaces X-Frame-Options in every browser that matters.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = hdrNosniff
		h["Referrer-Policy"] = hdrReferrer
		h["Content-Security-Policy"] = hdrCSP
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// AccessLog logs each request with its status, size and duration.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
			"ms", strconv.FormatFloat(float64(time.Since(start).Microseconds())/1000, 'f', 2, 64))
	})
}

// PositiveID parses a path id: digits only, 1 to 2^53 (what JSON clients
// can hold). ok is false for anything else, which callers answer with 404.
func PositiveID(s string) (int64, bool) {
	if s == "" || len(s) > 16 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n > 0 && n <= 1<<53
}

// PageNumber reads ?page=: absent is 1; ok is false for anything that is
// not a whole number from 1 to 10000.
func PageNumber(r *http.Request) (int, bool) {
	v := r.URL.Query()["page"]
	if len(v) == 0 {
		return 1, true
	}
	if len(v) > 1 || len(v[0]) > 5 {
		return 0, false
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 1 || n > 10000 {
		return 0, false
	}
	return n, true
}

// JSON writes v as a JSON response. HTML characters are not escaped: the
// content type says JSON, and clients want the text as written.
func JSON(w http.ResponseWriter, status int, cacheControl string, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", cacheControl)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// JSONError writes {"error": msg}, uncached.
func JSONError(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, "no-store", map[string]string{"error": msg})
}

// JSONStatus writes {"error": code}, where code is the status's name in
// snake case ("uri_too_long"): for answers that need no explanation, or
// must give none (the server's faults). A server's fault also carries
// the request id, the one thing a client can report that finds the log.
func JSONStatus(w http.ResponseWriter, r *http.Request, status int) {
	body := map[string]string{"error": strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")}
	if id := RequestIDFrom(r.Context()); id != "" && status >= http.StatusInternalServerError {
		body["request_id"] = id
	}
	JSON(w, status, "no-store", body)
}

// Status is the HTTP status that answers err: one mapping of error kinds
// (news.KindOf) for every surface. 500 means the server's fault, which the
// surface logs; every other status is the asker's to act on.
func Status(err error) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge
	}
	switch news.KindOf(err) {
	case news.KindInvalid:
		return http.StatusUnprocessableEntity
	case news.KindNotFound:
		return http.StatusNotFound
	case news.KindConflict:
		return http.StatusConflict
	case news.KindUnauthenticated:
		return http.StatusUnauthorized
	case news.KindForbidden:
		return http.StatusForbidden
	case news.KindGone:
		return http.StatusGone
	case news.KindTooMany:
		return http.StatusTooManyRequests
	case news.KindMalformed:
		return http.StatusBadRequest
	case news.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ServerFault reports whether status blames the server, and so whether
// the error behind it is worth a log line. A request whose client went
// away is not: its database call was cancelled, nothing broke.
func ServerFault(r *http.Request, status int) bool {
	return status >= http.StatusInternalServerError && r.Context().Err() == nil
}

// ParseForm parses r's form. Its error has a kind Status answers: 413 for
// a body past the limit, 400 for one no browser sends.
func ParseForm(r *http.Request) error {
	err := r.ParseForm()
	var tooBig *http.MaxBytesError
	if err == nil || errors.As(err, &tooBig) {
		return err
	}
	return fmt.Errorf("%w: %v", news.ErrMalformed, err)
}

// ClientIP is the peer address of the request. Behind a proxy it is the
// proxy's; trusting X-Forwarded-For needs a configured proxy list first.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
