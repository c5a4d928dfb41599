package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"khabar/internal/apptest"
	"khabar/internal/config"
)

// TestBehindTrustedProxy: behind a proxy the site trusts, each reader
// behind it has a search budget of its own; a header from a peer it does
// not trust changes nothing, so spoofing it buys no extra budget.
func TestBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	// The search budget per address: a burst of 30.
	const burst = 30
	search := func(n *apptest.Node, i int, client string) int {
		return n.Do(t, "GET", "/api/v1/search?q="+url.QueryEscape("الحكومة "+strconv.Itoa(i)), nil,
			map[string]string{"X-Forwarded-For": client}).Status
	}
	proxied := apptest.StartNode(t, "", func(c *config.Config) { c.TrustedProxies = "127.0.0.1" })
	for i := range burst {
		if code := search(proxied, i, "198.51.100.7"); code != http.StatusOK {
			t.Fatalf("search %d of a reader behind the proxy: %d", i, code)
		}
	}
	if code := search(proxied, burst, "198.51.100.7"); code != http.StatusTooManyRequests {
		t.Errorf("the reader past the budget: %d", code)
	}
	if code := search(proxied, burst, "198.51.100.8"); code != http.StatusOK {
		t.Errorf("another reader behind the same proxy: %d", code)
	}

	direct := apptest.StartNode(t, "")
	for i := range burst {
		if code := search(direct, i, "198.51.100."+strconv.Itoa(i)); code != http.StatusOK {
			t.Fatalf("search %d: %d", i, code)
		}
	}
	if code := search(direct, burst, "203.0.113.1"); code != http.StatusTooManyRequests {
		t.Errorf("a spoofed X-Forwarded-For from an untrusted peer bought budget: %d", code)
	}
}
