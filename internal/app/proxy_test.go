package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/config"
	"khabar/internal/storetest"
)

// TestBehindTrustedProxy: behind a proxy the site trusts, each reader
// behind it has a search budget of its own; a header from a peer it does
// not trust changes nothing, so spoofing it buys no extra budget. (The
// budget is apptest.SearchBudget an hour, so the storm's refusals do not
// depend on the machine's speed.)
func TestBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	const storm = 4 * apptest.SearchBudget
	search := func(n *apptest.Node, i int, client string) (int, error) {
		r, err := n.Try("GET", "/api/v1/search?q="+url.QueryEscape("الحكومة "+strconv.Itoa(i)), nil,
			map[string]string{"X-Forwarded-For": client})
		return r.Status, err
	}
	// refused counts the 429s of a storm of searches, the i-th from client(i).
	refused := func(n *apptest.Node, client func(i int) string) int {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			n429 int
			next = make(chan int)
		)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					code, err := search(n, i, client(i))
					if err != nil || code != http.StatusOK && code != http.StatusTooManyRequests {
						t.Errorf("search %d: %d %v", i, code, err)
					}
					mu.Lock()
					n429 += map[bool]int{true: 1}[code == http.StatusTooManyRequests]
					mu.Unlock()
				}
			}()
		}
		for i := range storm {
			next <- i
		}
		close(next)
		wg.Wait()
		return n429
	}

	proxied := apptest.StartNode(t, "", apptest.TightSearch, func(c *config.Config) { c.TrustedProxies = "127.0.0.1" })
	if n := refused(proxied, func(int) string { return "198.51.100.7" }); n == 0 {
		t.Errorf("%d searches of one reader behind the proxy: none refused", storm)
	}
	if code, err := search(proxied, storm, "198.51.100.8"); code != http.StatusOK {
		t.Errorf("another reader behind the same proxy, after the first used up its budget: %d %v", code, err)
	}

	direct := apptest.StartNode(t, "", apptest.TightSearch)
	if n := refused(direct, func(i int) string { return "198.51.100." + strconv.Itoa(i) }); n == 0 {
		t.Errorf("%d searches from one peer naming %d addresses in X-Forwarded-For: none refused", storm, storm)
	}
}

// TestLoginBudgetSharedByNodes: on two nodes of one PostgreSQL, the wrong
// passwords tried on one count on the other, so an attacker gets the
// budget (five per account and address) once, not once per node.
func TestLoginBudgetSharedByNodes(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	a := apptest.StartNode(t, dbURL)
	b := apptest.StartNode(t, dbURL)
	apptest.Login(t, a, auth.RoleEditor) // makes the account
	wrong := url.Values{"email": {"editor@khabar.test"}, "password": {"not the editor's password"}}
	for i := range 5 {
		n := []*apptest.Node{a, b}[i%2]
		if r := n.Do(t, "POST", "/admin/login", wrong, nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, r.Status)
		}
	}
	for _, n := range []*apptest.Node{a, b} {
		if r := n.Do(t, "POST", "/admin/login", wrong, nil); r.Status != http.StatusTooManyRequests {
			t.Errorf("the sixth try: %d, want 429", r.Status)
		}
	}
}
