package api

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/throttle"
	"khabar/internal/wire"
)

// agencyToken makes an agency and returns the header its pushes carry.
func (f *fixture) agencyToken(t *testing.T, name string) (int64, http.Header) {
	t.Helper()
	token, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.store.AddWireAgency(context.Background(), name, hash, news.Actor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return id, http.Header{"Authorization": {"Bearer " + token}}
}

func TestPushWire(t *testing.T) { storetest.Each(t, testPushWire) }

// testPushWire: an agency pushes NewsML-G2 and ninjs with its own token;
// a retry keeps nothing twice (200, added false); staff tokens, revoked
// and unknown tokens are refused; a hostile or oversized document is a
// problem with its reason, and nothing of it is kept.
func testPushWire(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	agencyID, hdr := f.agencyToken(t, "وكالة المثال")
	push := func(body string, h http.Header) (storetest.Response, map[string]any) {
		t.Helper()
		r := f.client(t).Do("POST", "/api/v1/wires", strings.NewReader(body), h)
		var out map[string]any
		if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
			t.Fatalf("push answered %d with non-JSON %q", r.Status, r.Body)
		}
		return r, out
	}
	nitf, err := os.ReadFile("../wire/testdata/ar-xhtml-message.xml")
	if err != nil {
		t.Fatal(err)
	}
	r, out := push(string(nitf), hdr)
	items, _ := out["items"].([]any)
	if r.Status != http.StatusCreated || len(items) != 2 || items[0].(map[string]any)["added"] != true {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	if r, out := push(string(nitf), hdr); r.Status != http.StatusOK || out["items"].([]any)[1].(map[string]any)["added"] != false {
		t.Fatalf("the same push again: %d %s", r.Status, r.Body)
	}
	list, err := s.Wires(ctx, store.WireFilter{})
	if err != nil || len(list) != 2 || list[0].Source != "push:وكالة المثال" {
		t.Fatalf("desk after two pushes of one message: %d items %v", len(list), err)
	}

	_, staff := f.bearer(t, auth.RoleAdmin)
	ninjs := `{"uri": "urn:x:1", "headlines": [{"value": "عنوان"}]}`
	for _, tc := range []struct {
		name string
		h    http.Header
	}{
		{"no token", nil},
		{"not bearer", http.Header{"Authorization": {"Basic eDp5"}}},
		{"unknown token", http.Header{"Authorization": {"Bearer nope"}}},
		{"a staff token", staff},
	} {
		if r, _ := push(ninjs, tc.h); r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d", tc.name, r.Status)
		}
	}
	for _, tc := range []struct {
		name, body, reason string
	}{
		{"entity bomb", `<!DOCTYPE x [<!ENTITY a "aaaa">]><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g"/>`, wire.ReasonDoctype},
		{"not news", `<rss version="2.0"/>`, wire.ReasonUnknown},
		{"a picture", `{"uri": "urn:p", "type": "picture", "headlines": [{"value": "صورة"}]}`, wire.ReasonNotText},
		{"invalid UTF-8", "{\"uri\": \"urn:u\", \"headline\": \"\xff\"}", wire.ReasonNotUTF8},
		{"no headline", `{"uri": "urn:h"}`, wire.ReasonNoHeadline},
	} {
		r, out := push(tc.body, hdr)
		errs, _ := out["errors"].([]any)
		if r.Status != http.StatusUnprocessableEntity || out["type"] != ProblemBase+problemWireRefused || len(errs) != 1 ||
			errs[0].(map[string]any)["reason"] != "wire_"+tc.reason {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
			continue
		}
		msg := errs[0].(map[string]any)["message"].(map[string]any)
		if strings.Contains(msg["ar"].(string), "api_reason") || strings.Contains(msg["en"].(string), "api_reason") {
			t.Errorf("%s: a message missing from the catalogue: %v", tc.name, msg)
		}
	}
	big := `{"uri": "urn:big", "headline": "ع", "body_text": "` + strings.Repeat("خبر ", wire.MaxSize/7) + `"}`
	if r, _ := push(big, hdr); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("an 11 MB push: %d", r.Status)
	}
	if list, _ := s.Wires(ctx, store.WireFilter{}); len(list) != 2 {
		t.Errorf("refused pushes kept something: %d items", len(list))
	}

	// Two retries of one push at the same moment keep it once.
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := f.client(t).Do("POST", "/api/v1/wires", strings.NewReader(`{"uri": "urn:race", "headline": "سباق"}`), hdr); r.Status != 201 && r.Status != 200 {
				t.Errorf("concurrent push: %d %s", r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	if vs, _ := s.WireVersions(ctx, "urn:race"); len(vs) != 1 {
		t.Errorf("three concurrent pushes of one item kept %d rows", len(vs))
	}

	// Past its pace an agency is told when to come back, and nothing of
	// the refused push is kept (a limiter that never refills, so the
	// count does not depend on the machine's speed).
	f.api.wirePace = throttle.NewLimiter(1, time.Hour)
	if r, _ := push(`{"uri": "urn:pace:1", "headline": "أول"}`, hdr); r.Status != http.StatusCreated {
		t.Fatalf("the first push of a fresh pace: %d", r.Status)
	}
	if r, out := push(`{"uri": "urn:pace:2", "headline": "ثان"}`, hdr); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
		out["type"] != ProblemBase+problemTooMany {
		t.Errorf("a push past the agency's pace: %d %s", r.Status, r.Body)
	}
	if vs, _ := s.WireVersions(ctx, "urn:pace:2"); len(vs) != 0 {
		t.Error("a push refused for its pace was kept")
	}

	if err := s.RevokeWireAgency(ctx, agencyID, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	if r, _ := push(ninjs, hdr); r.Status != http.StatusUnauthorized {
		t.Errorf("a revoked agency pushes: %d", r.Status)
	}
}

// TestWireReasonsSaid: every refusal reason has its message in both
// catalogues.
func TestWireReasonsSaid(t *testing.T) {
	for _, reason := range wire.Reasons {
		for lang, c := range catalogues {
			if key := "api_reason_wire_" + reason; c.T(key, "body") == key {
				t.Errorf("%s: no %s", lang, key)
			}
		}
	}
}
