package api

import (
	"net/http"
	"testing"

	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestUnknownMethods(t *testing.T) { storetest.Each(t, testUnknownMethods) }

// testUnknownMethods: a method an endpoint does not take answers 405 with
// the methods it does take in Allow, as docs/API.md says; a path that is
// no endpoint answers 404. Both in JSON.
func testUnknownMethods(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"DELETE", "/api/v1/search", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"POST", "/api/v1/search?q=x", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"PUT", "/api/v1/articles/1/comments", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{"PATCH", "/api/v1/push/subscriptions", http.StatusMethodNotAllowed, "DELETE, POST"},
		{"GET", "/api/v1/alerts", http.StatusMethodNotAllowed, "POST"},
		{"DELETE", "/api/v1/articles", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{"DELETE", "/api/v1/articles/1", http.StatusMethodNotAllowed, "GET, HEAD, PATCH"},
		{"GET", "/api/v1/articles/1/publish", http.StatusMethodNotAllowed, "POST"},
		{"PUT", "/api/v1/sections/1", http.StatusMethodNotAllowed, "PATCH"},
		{"DELETE", "/api/v1/media", http.StatusMethodNotAllowed, "POST"},
		{"GET", "/api/v1/nothing", http.StatusNotFound, ""},
		{"DELETE", "/api/v2/search", http.StatusNotFound, ""},
	} {
		r := f.client(t).Do(c.method, c.path, nil, nil)
		out := decodeJSON(t, c.path, r)
		if r.Status != c.status || r.Header.Get("Allow") != c.allow || out["error"] == nil {
			t.Errorf("%s %s: %d, Allow %q, %v; want %d, Allow %q", c.method, c.path, r.Status, r.Header.Get("Allow"), out, c.status, c.allow)
		}
	}
}
