package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"khabar/internal/news"
)

func TestPositiveID(t *testing.T) {
	cases := []struct {
		in string
		id int64
		ok bool
	}{
		{"1", 1, true}, {"0042", 42, true}, {"0", 0, false}, {"-1", 0, false}, {"1e3", 0, false}, {"", 0, false},
		{"9007199254740992", 1 << 53, true}, {"9007199254740993", 0, false}, {"99999999999999999999", 0, false}, {"١٢", 0, false},
	}
	for _, c := range cases {
		id, ok := PositiveID(c.in)
		if ok != c.ok || (ok && id != c.id) {
			t.Errorf("PositiveID(%q) = %d, %v", c.in, id, ok)
		}
	}
}

func TestPageNumber(t *testing.T) {
	cases := []struct {
		query string
		n     int
		ok    bool
	}{{"", 1, true}, {"page=3", 3, true}, {"page=0", 0, false}, {"page=x", 0, false}, {"page=10001", 0, false}, {"page=1&page=2", 0, false}, {"page=+2", 0, false}}
	for _, c := range cases {
		n, ok := PageNumber(httptest.NewRequest("GET", "/?"+c.query, nil))
		if ok != c.ok || (ok && n != c.n) {
			t.Errorf("PageNumber(%q) = %d, %v", c.query, n, ok)
		}
	}
}

func TestMiddleware(t *testing.T) {
	var got int
	errPage := func(w http.ResponseWriter, r *http.Request, status int) { got = status; w.WriteHeader(status) }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := Recover(log, errPage, SecurityHeaders(Limit(errPage, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/panic") {
			panic("boom")
		}
		if _, err := io.ReadAll(r.Body); err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}
	}))))
	// Under /api/ the answers are JSON, never the error page.
	cases := []struct {
		req    *http.Request
		status int
		json   string
	}{
		{httptest.NewRequest("GET", "/panic", nil), 500, ""},
		{httptest.NewRequest("GET", "/api/panic", nil), 500, `{"error":"internal_server_error"}`},
		{httptest.NewRequest("GET", "/"+strings.Repeat("a", MaxURLBytes), nil), 414, ""},
		{httptest.NewRequest("GET", "/api/v1/search?q="+strings.Repeat("%D8%A7", 1024), nil), 414, `{"error":"request_uri_too_long"}`},
		{httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", MaxFormBytes+1))), 413, ""},
		{httptest.NewRequest("GET", "/ok", nil), 200, ""},
	}
	for _, c := range cases {
		got = 0
		w := httptest.NewRecorder()
		h.ServeHTTP(w, c.req)
		if w.Code != c.status {
			t.Errorf("%s %.20s: %d, want %d (error page %d)", c.req.Method, c.req.URL.Path, w.Code, c.status, got)
		}
		if c.json != "" && (got != 0 || w.Header().Get("Content-Type") != "application/json; charset=utf-8" || strings.TrimSpace(w.Body.String()) != c.json) {
			t.Errorf("%s %.20s: error page %d, %s %q, want JSON %s", c.req.Method, c.req.URL.Path, got, w.Header().Get("Content-Type"), w.Body.String(), c.json)
		}
		if w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Error("security headers missing")
		}
	}
}

// kindedErr states its own kind, as comment and upload refusals do.
type kindedErr struct{ k news.Kind }

func (e kindedErr) Error() string   { return "refused" }
func (e kindedErr) Kind() news.Kind { return e.k }

// TestStatus: every error kind has one status, whichever package made
// the error and however deeply it is wrapped.
func TestStatus(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"not found", fmt.Errorf("get article 7: %w", news.ErrNotFound), http.StatusNotFound},
		{"stale version", fmt.Errorf("update: %w", news.ErrConflict), http.StatusConflict},
		{"taken slug", news.ErrDuplicate, http.StatusConflict},
		{"workflow step", &news.TransitionError{From: news.StatusDraft, Action: news.ActionUnpublish}, http.StatusConflict},
		{"closed live blog", news.ErrCoverageEnded, http.StatusConflict},
		{"bad fields", fmt.Errorf("save: %w", &news.InvalidError{Fields: map[string]string{"headline": "required"}}), http.StatusUnprocessableEntity},
		{"not signed in", fmt.Errorf("API token: %w", news.ErrUnauthenticated), http.StatusUnauthorized},
		{"not yours", news.ErrForbidden, http.StatusForbidden},
		{"withdrawn", news.ErrGone, http.StatusGone},
		{"slow down", news.ErrTooMany, http.StatusTooManyRequests},
		{"forged form", news.ErrMalformed, http.StatusBadRequest},
		{"node full", news.ErrUnavailable, http.StatusServiceUnavailable},
		{"states its kind", fmt.Errorf("post: %w", kindedErr{news.KindTooMany}), http.StatusTooManyRequests},
		{"body too large", fmt.Errorf("read form: %w", &http.MaxBytesError{Limit: 10}), http.StatusRequestEntityTooLarge},
		{"database down", errors.New("dial tcp: connection refused"), http.StatusInternalServerError},
	}
	for _, c := range cases {
		if got := Status(c.err); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestParseForm(t *testing.T) {
	big := httptest.NewRequest("POST", "/", strings.NewReader("a="+strings.Repeat("x", 100)))
	big.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	big.Body = http.MaxBytesReader(httptest.NewRecorder(), big.Body, 10)
	if got := Status(ParseForm(big)); got != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized form: %d", got)
	}
	bad := httptest.NewRequest("POST", "/", strings.NewReader("a=%zz"))
	bad.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if got := Status(ParseForm(bad)); got != http.StatusBadRequest {
		t.Errorf("malformed form: %d", got)
	}
	good := httptest.NewRequest("POST", "/", strings.NewReader("a=1"))
	good.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := ParseForm(good); err != nil || good.PostForm.Get("a") != "1" {
		t.Errorf("good form: %v", err)
	}
}
