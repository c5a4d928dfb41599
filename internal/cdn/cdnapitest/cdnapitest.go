// Package cdnapitest stands in for Fastly's and Cloudflare's purge APIs,
// which tests cannot reach: in-process servers that hold each request to
// the shape the public API documents (method, path, headers, body, key
// limits), fail the test on any other, and record the keys purged.
package cdnapitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The ids and token the stand-ins expect.
const (
	Token   = "test-token-0123456789abcdef"
	Service = "SU1Z0isxPaozGVKXdv0eY"
	Zone    = "023e105f4ecef8ad9ca31a8372d0c353"
)

// api is an in-process stand-in for Fastly's or Cloudflare's purge API:
// check refuses a request whose shape is not what the public API
// documents (its reason goes to the test), and records the keys of
// those it accepts, one slice a request.
type API struct {
	t     *testing.T
	Srv   *httptest.Server
	mu    sync.Mutex
	got   [][]string
	fails []int // statuses to answer first, one a request
}

func newAPI(t *testing.T, check func(r *http.Request, body []byte) ([]string, error), answer func(keys []string) any) *API {
	a := &API{t: t}
	a.Srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		keys, err := check(r, body)
		if err != nil {
			t.Errorf("%s %s: %v", r.Method, r.URL.Path, err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		if len(a.fails) > 0 {
			status := a.fails[0]
			a.fails = a.fails[1:]
			a.mu.Unlock()
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			http.Error(w, `{"success":false,"errors":[{"code":1,"message":"busy"}]}`, status)
			return
		}
		a.got = append(a.got, keys)
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(answer(keys))
	}))
	t.Cleanup(a.Srv.Close)
	return a
}

// Requests are the keys of each accepted request, in order.
func (a *API) Requests() [][]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.got)
}

// Fastly checks a batch purge as api.fastly.com documents it: POST
// /service/{service_id}/purge, the keys space-separated in Surrogate-Key,
// the token in Fastly-Key, Fastly-Soft-Purge: 1 for a soft purge; the
// answer maps each key to a purge id.
func Fastly(t *testing.T, soft bool) *API {
	return newAPI(t, func(r *http.Request, body []byte) ([]string, error) {
		switch {
		case r.Method != http.MethodPost:
			return nil, fmt.Errorf("method %s, want POST", r.Method)
		case r.URL.Path != "/service/"+Service+"/purge":
			return nil, fmt.Errorf("path %s, want /service/%s/purge", r.URL.Path, Service)
		case r.Header.Get("Fastly-Key") != Token:
			return nil, fmt.Errorf("Fastly-Key %q", r.Header.Get("Fastly-Key"))
		case soft && r.Header.Get("Fastly-Soft-Purge") != "1", !soft && r.Header.Values("Fastly-Soft-Purge") != nil:
			return nil, fmt.Errorf("Fastly-Soft-Purge %q with soft %v", r.Header.Get("Fastly-Soft-Purge"), soft)
		case len(body) != 0:
			return nil, fmt.Errorf("a body %q beside the Surrogate-Key header", body)
		}
		keys := strings.Split(r.Header.Get("Surrogate-Key"), " ")
		if len(keys) == 0 || len(keys) > 256 || slices.Contains(keys, "") {
			return nil, fmt.Errorf("Surrogate-Key %q: want 1 to 256 keys, one space apart", r.Header.Get("Surrogate-Key"))
		}
		return keys, nil
	}, func(keys []string) any {
		ids := map[string]string{}
		for i, k := range keys {
			ids[k] = "108-1391560174-974124-" + strconv.Itoa(i)
		}
		return ids
	})
}

// Cloudflare checks a purge by tags as api.cloudflare.com documents
// it: POST /client/v4/zones/{zone_id}/purge_cache, a Bearer token,
// a JSON body {"tags": […]} of at most 100 tags; the answer is the
// API's envelope.
func Cloudflare(t *testing.T) *API {
	return newAPI(t, func(r *http.Request, body []byte) ([]string, error) {
		switch {
		case r.Method != http.MethodPost:
			return nil, fmt.Errorf("method %s, want POST", r.Method)
		case r.URL.Path != "/client/v4/zones/"+Zone+"/purge_cache":
			return nil, fmt.Errorf("path %s, want /client/v4/zones/%s/purge_cache", r.URL.Path, Zone)
		case r.Header.Get("Authorization") != "Bearer "+Token:
			return nil, fmt.Errorf("Authorization %q", r.Header.Get("Authorization"))
		case r.Header.Get("Content-Type") != "application/json":
			return nil, fmt.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
		}
		var req map[string][]string
		if err := json.Unmarshal(body, &req); err != nil || len(req) != 1 || req["tags"] == nil {
			return nil, fmt.Errorf("body %s: want {\"tags\": [...]} alone (%v)", body, err)
		}
		if n := len(req["tags"]); n == 0 || n > 100 {
			return nil, fmt.Errorf("%d tags in one request: want 1 to 100", n)
		}
		return req["tags"], nil
	}, func([]string) any {
		return map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": map[string]string{"id": "9a7806061c88ada191ed06f989cc3dac"}}
	})
}

// FailNext makes the next requests answer these statuses, one each
// (a 429 with Retry-After: 1), before the API accepts again.
func (a *API) FailNext(statuses ...int) {
	a.mu.Lock()
	a.fails = append(a.fails, statuses...)
	a.mu.Unlock()
}

// Wait waits until n requests were accepted, for up to a minute, and
// returns them all.
func (a *API) Wait(t *testing.T, n int) [][]string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if got := a.Requests(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d purge requests within a minute, want %d: %q", len(a.Requests()), n, a.Requests())
		}
	}
}
