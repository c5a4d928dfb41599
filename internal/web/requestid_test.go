package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

var generatedID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// TestRequestID: a sane incoming id is kept, anything else is replaced by
// a fresh one; either way the response echoes it and every line logged
// with the request's context carries it.
func TestRequestID(t *testing.T) {
	cases := []struct {
		name, in string
		kept     bool
	}{
		{"none", "", false},
		{"uuid", "3f2b8c1e-9d4a-4e5b-8a7c-1d2e3f4a5b6c", true},
		{"proxy token", "req_ABCdef123", true},
		{"too short", "abc1234", false},
		{"too long", strings.Repeat("a", 65), false},
		{"log forging", "abcdefgh\nlevel=ERROR msg=forged", false},
		{"space", "abcd efgh", false},
		{"quote", `abcdefgh"`, false},
		{"non-ASCII", "طلب-12345678", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(LogHandler{slog.NewJSONHandler(&logs, nil)}).With("part", "test")
			var seen string
			h := RequestID(AccessLog(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = RequestIDFrom(r.Context())
				log.WarnContext(r.Context(), "inside")
			})))
			req := httptest.NewRequest("GET", "/x", nil)
			if c.in != "" {
				req.Header.Set(RequestIDHeader, c.in)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			got := w.Header().Get(RequestIDHeader)
			if got != seen {
				t.Errorf("header %q, context %q", got, seen)
			}
			if c.kept && got != c.in || !c.kept && !generatedID.MatchString(got) {
				t.Errorf("incoming %q: id %q", c.in, got)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 2 {
				t.Fatalf("want the handler's line and the access line, got %q", lines)
			}
			for _, l := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(l), &rec); err != nil || rec["request_id"] != got || rec["part"] != "test" {
					t.Errorf("log line %s: want request_id %q (err %v)", l, got, err)
				}
			}
		})
	}
	a, b := newRequestID(), newRequestID()
	if a == b || !generatedID.MatchString(a) {
		t.Errorf("two fresh ids: %q, %q", a, b)
	}
}

// TestFaultReference: the API's 500 names the request id it logged, and
// only a 500 does.
func TestFaultReference(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(LogHandler{slog.NewTextHandler(&logs, nil)})
	errPage := func(w http.ResponseWriter, r *http.Request, status int) { w.WriteHeader(status) }
	h := RequestID(Recover(log, errPage, Limit(errPage, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	}))))
	req := httptest.NewRequest("GET", "/api/v1/x", nil)
	req.Header.Set(RequestIDHeader, "ref-12345678")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if body := strings.TrimSpace(w.Body.String()); w.Code != 500 || body != `{"error":"internal_server_error","request_id":"ref-12345678"}` {
		t.Errorf("500: %d %s", w.Code, body)
	}
	if !strings.Contains(logs.String(), "request_id=ref-12345678") {
		t.Errorf("panic log without the request id: %s", logs.String())
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/"+strings.Repeat("a", MaxURLBytes), nil))
	if body := strings.TrimSpace(w.Body.String()); w.Code != 414 || body != `{"error":"request_uri_too_long"}` {
		t.Errorf("414: %d %s", w.Code, body)
	}
}
