package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		if _, err := io.ReadAll(r.Body); err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}
	}))))
	cases := []struct {
		req    *http.Request
		status int
	}{
		{httptest.NewRequest("GET", "/panic", nil), 500},
		{httptest.NewRequest("GET", "/"+strings.Repeat("a", MaxURLBytes), nil), 414},
		{httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", MaxFormBytes+1))), 413},
		{httptest.NewRequest("GET", "/ok", nil), 200},
	}
	for _, c := range cases {
		got = 0
		w := httptest.NewRecorder()
		h.ServeHTTP(w, c.req)
		if w.Code != c.status {
			t.Errorf("%s %.20s: %d, want %d (error page %d)", c.req.Method, c.req.URL.Path, w.Code, c.status, got)
		}
		if w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Error("security headers missing")
		}
	}
}
