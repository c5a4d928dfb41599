package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// countArticles is how many articles the store holds.
func countArticles(t *testing.T, s *store.Store) int {
	t.Helper()
	list, err := s.ListArticles(context.Background(), store.AdminFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func key(k string) http.Header { return http.Header{"Idempotency-Key": {k}} }

// TestIdempotencyKey: a retry with the same key and body gets the first
// answer and makes nothing; the key on another body is refused; twelve
// retries at once make one article and all get its answer; a refusal is
// kept like a success; keys are the user's own.
func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		_, tok := f.bearer(t, auth.RoleWriter)
		body := f.newDraft("برقية")
		first, out := f.call(t, "POST", "/api/v1/articles", body, tok, key("agency-42"))
		if first.Status != http.StatusCreated {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		again, _ := f.call(t, "POST", "/api/v1/articles", body, tok, key("agency-42"))
		if again.Status != http.StatusCreated || again.Body != first.Body || again.Header.Get("Location") != first.Header.Get("Location") ||
			again.Header.Get("ETag") != first.Header.Get("ETag") || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry: %d %v %s", again.Status, again.Header, again.Body)
		}
		if n := countArticles(t, s); n != 1 {
			t.Errorf("%d articles after a retry, want 1", n)
		}
		r, p := f.call(t, "POST", "/api/v1/articles", f.newDraft("برقية أخرى"), tok, key("agency-42"))
		if r.Status != http.StatusUnprocessableEntity || problemType(r, p) != problemKeyReused {
			t.Errorf("same key, other body: %d %s", r.Status, r.Body)
		}
		// The same key on another path is another request too.
		r, p = f.call(t, "POST", "/api/v1/articles/"+itoa(int64(out["id"].(float64)))+"/submit", body, tok, key("agency-42"), ifMatch(1))
		if r.Status != http.StatusUnprocessableEntity || problemType(r, p) != problemKeyReused {
			t.Errorf("same key, other path: %d %s", r.Status, r.Body)
		}
		// Another user's key of the same name is theirs.
		_, other := f.bearer(t, auth.RoleWriter)
		if r, _ := f.call(t, "POST", "/api/v1/articles", body, other, key("agency-42")); r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("another user's key: %d %v", r.Status, r.Header)
		}
		// A refusal is the answer to the key as well.
		bad := `{"headline": ""}`
		r1, _ := f.call(t, "POST", "/api/v1/articles", bad, tok, key("bad-1"))
		r2, _ := f.call(t, "POST", "/api/v1/articles", bad, tok, key("bad-1"))
		if r1.Status != 422 || r2.Status != 422 || r2.Body != r1.Body || r2.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("refusal replayed: %d %d %s", r1.Status, r2.Status, r2.Header)
		}
		for _, k := range []string{strings.Repeat("k", 256), "a key", "مفتاح"} {
			if r, p := f.call(t, "POST", "/api/v1/articles", body, tok, key(k)); r.Status != 400 || strings.Join(errorNames(p), ",") != "Idempotency-Key" {
				t.Errorf("key %q: %d %s", k, r.Status, r.Body)
			}
		}

		// Concurrent retries: one article, the same answer for all.
		before := countArticles(t, s)
		const n = 12
		var (
			wg      sync.WaitGroup
			answers [n]storetest.Response
		)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				h := http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {"storm"}, "Authorization": tok["Authorization"]}
				answers[i] = f.client(t).Do("POST", "/api/v1/articles", strings.NewReader(f.newDraft("عاصفة")), h)
			}()
		}
		close(start)
		wg.Wait()
		for i, a := range answers {
			if a.Status != http.StatusCreated || a.Body != answers[0].Body {
				t.Errorf("concurrent retry %d: %d %s (first: %s)", i, a.Status, a.Body, answers[0].Body)
			}
		}
		if got := countArticles(t, s); got != before+1 {
			t.Errorf("%d concurrent retries made %d articles", n, got-before)
		}
	})
}

// TestWriteRoleMatrix: every write route for every role: no token (401),
// each role's token, and a token that is no longer valid.
func TestWriteRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		owner, _ := storetest.Staff(t, s, auth.RoleWriter)
		roles := []auth.Role{"", auth.RoleModerator, auth.RoleWriter, auth.RoleEditor, auth.RoleAdmin}
		type want [5]int // by roles' index
		const (
			no   = http.StatusUnauthorized
			deny = http.StatusForbidden
			hide = http.StatusNotFound
		)
		seed := 10
		cases := []struct {
			name string
			// req makes the request on fresh data: method, path, body,
			// If-Match version (0: none), content type.
			req  func(t *testing.T) (method, path, body string, version int64, ct string)
			want want
		}{
			{"create article", func(t *testing.T) (string, string, string, int64, string) {
				return "POST", "/api/v1/articles", f.newDraft("مصفوفة"), 0, ""
			}, want{no, deny, 201, 201, 201}},
			{"patch someone's draft", func(t *testing.T) (string, string, string, int64, string) {
				a := f.stored(t, owner.ID, news.StatusDraft)
				return "PATCH", articlePath(a.ID), `{"lead": "جديد"}`, a.Version, ""
			}, want{no, deny, hide, 200, 200}},
			{"patch someone's published article", func(t *testing.T) (string, string, string, int64, string) {
				a := f.stored(t, owner.ID, news.StatusPublished)
				return "PATCH", articlePath(a.ID), `{"lead": "جديد"}`, a.Version, ""
			}, want{no, deny, deny, 200, 200}},
			{"submit someone's draft", func(t *testing.T) (string, string, string, int64, string) {
				a := f.stored(t, owner.ID, news.StatusDraft)
				return "POST", articlePath(a.ID) + "/submit", "", a.Version, ""
			}, want{no, deny, hide, 200, 200}},
			{"publish", func(t *testing.T) (string, string, string, int64, string) {
				a := f.stored(t, owner.ID, news.StatusReview)
				return "POST", articlePath(a.ID) + "/publish", "", a.Version, ""
			}, want{no, deny, hide, 200, 200}},
			{"schedule", func(t *testing.T) (string, string, string, int64, string) {
				a := f.stored(t, owner.ID, news.StatusReview)
				at := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
				return "POST", articlePath(a.ID) + "/schedule", `{"at": "` + at + `"}`, a.Version, ""
			}, want{no, deny, hide, 200, 200}},
			{"unpublish", func(t *testing.T) (string, string, string, int64, string) {
				a := f.stored(t, owner.ID, news.StatusPublished)
				return "POST", articlePath(a.ID) + "/unpublish", "", a.Version, ""
			}, want{no, deny, deny, 200, 200}},
			{"create section", func(t *testing.T) (string, string, string, int64, string) {
				seed++
				return "POST", "/api/v1/sections", `{"name": "قسم ` + itoa(int64(seed)) + `"}`, 0, ""
			}, want{no, deny, deny, 201, 201}},
			{"patch section", func(t *testing.T) (string, string, string, int64, string) {
				return "PATCH", "/api/v1/sections/" + itoa(f.Sections[1].ID), `{"description": "وصف"}`, 0, ""
			}, want{no, deny, deny, 200, 200}},
			{"create tag", func(t *testing.T) (string, string, string, int64, string) {
				seed++
				return "POST", "/api/v1/tags", `{"name": "وسم ` + itoa(int64(seed)) + `"}`, 0, ""
			}, want{no, deny, deny, 201, 201}},
			{"rename tag", func(t *testing.T) (string, string, string, int64, string) {
				tag, _, err := s.AddTag(ctx, "وسم قديم", news.Actor{})
				if err != nil {
					t.Fatal(err)
				}
				return "PATCH", "/api/v1/tags/" + itoa(tag.ID), `{"name": "وسم جديد"}`, 0, ""
			}, want{no, deny, deny, 200, 200}},
			{"create author", func(t *testing.T) (string, string, string, int64, string) {
				seed++
				return "POST", "/api/v1/authors", `{"name": "مراسل ` + itoa(int64(seed)) + `", "job_title": "مراسل"}`, 0, ""
			}, want{no, deny, deny, 201, 201}},
			{"patch author", func(t *testing.T) (string, string, string, int64, string) {
				return "PATCH", "/api/v1/authors/" + itoa(f.Authors[1].ID), `{"bio": "سيرة"}`, 0, ""
			}, want{no, deny, deny, 200, 200}},
			{"upload", func(t *testing.T) (string, string, string, int64, string) {
				seed++
				return "POST", MediaPath, string(pngOf(t, seed)), 0, "image/png"
			}, want{no, deny, 201, 201, 201}},
			{"read media", func(t *testing.T) (string, string, string, int64, string) {
				seed++
				in, err := f.media.Ingest(ctx, bytes.NewReader(pngOf(t, seed)))
				if err != nil {
					t.Fatal(err)
				}
				return "GET", mediaPath(in.Media.ID), "", 0, ""
			}, want{no, deny, 200, 200, 200}},
			{"media texts", func(t *testing.T) (string, string, string, int64, string) {
				seed++
				in, err := f.media.Ingest(ctx, bytes.NewReader(pngOf(t, seed)))
				if err != nil {
					t.Fatal(err)
				}
				return "PATCH", mediaPath(in.Media.ID), `{"alt": "وصف"}`, 0, ""
			}, want{no, deny, 200, 200, 200}},
		}
		tokens := make([]http.Header, len(roles))
		for i, role := range roles {
			if role != "" {
				_, tokens[i] = f.bearer(t, role)
			}
		}
		for _, c := range cases {
			for i, role := range roles {
				method, path, body, version, ct := c.req(t)
				h := http.Header{}
				if body != "" {
					h.Set("Content-Type", "application/json")
				}
				if ct != "" {
					h.Set("Content-Type", ct)
				}
				if version > 0 {
					h.Set("If-Match", etagOf(version))
				}
				for k, v := range tokens[i] {
					h[k] = v
				}
				r := f.client(t).Do(method, path, strings.NewReader(body), h)
				if r.Status != c.want[i] {
					t.Errorf("%s as %q: %d, want %d (%.300s)", c.name, role, r.Status, c.want[i], r.Body)
				}
				if r.Status >= 400 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s as %q: %d is not a problem: %s", c.name, role, r.Status, r.Header.Get("Content-Type"))
				}
			}
		}
		// A token that is not valid is refused, whatever the route.
		for _, c := range cases {
			method, path, body, _, _ := c.req(t)
			r := f.client(t).Do(method, path, strings.NewReader(body), http.Header{"Authorization": {"Bearer not-a-token"}})
			if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s with a bad token: %d", c.name, r.Status)
			}
		}
	})
}

// TestHostileWrites: whatever a body holds, the answer is a 4xx problem
// that names what is wrong, never a 500.
func TestHostileWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		_, tok := f.bearer(t, auth.RoleEditor)
		a := f.stored(t, 0, news.StatusDraft)
		sec := itoa(f.Sections[0].ID)
		deep := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
		cases := []struct {
			name, method, path, body, ct string
			status                       int
			kind, field                  string
		}{
			{"not JSON", "POST", "/api/v1/articles", `{"headline": "x",`, "", 400, problemBody, "body"},
			{"two values", "POST", "/api/v1/articles", `{"headline": "x"} {"headline": "y"}`, "", 400, problemBody, "body"},
			{"an array", "POST", "/api/v1/articles", `[1, 2]`, "", 400, problemBody, "body"},
			{"null", "POST", "/api/v1/articles", `null`, "", 422, problemValidation, "headline"},
			{"null section", "POST", "/api/v1/sections", `null`, "", 422, problemValidation, "name"},
			{"null byline", "POST", "/api/v1/authors", `null`, "", 422, problemValidation, "name"},
			{"empty", "POST", "/api/v1/articles", ` `, "", 400, problemBody, "body"},
			{"unknown field", "POST", "/api/v1/articles", `{"headline": "x", "section_id": ` + sec + `, "bogus": 1}`, "", 400, problemBody, "bogus"},
			{"unknown block field", "POST", "/api/v1/articles", `{"headline": "x", "section_id": ` + sec + `, "blocks": [{"type": "paragraph", "onclick": "x"}]}`, "", 400, problemBody, "onclick"},
			{"wrong type", "POST", "/api/v1/articles", `{"headline": 12}`, "", 400, problemBody, "headline"},
			{"wrong nested type", "POST", "/api/v1/articles", `{"headline": "x", "blocks": [{"type": "heading", "level": "two"}]}`, "", 400, problemBody, "blocks.level"},
			{"number too big", "POST", "/api/v1/articles", `{"headline": "x", "section_id": 1e400}`, "", 400, problemBody, "section_id"},
			{"number out of int64", "POST", "/api/v1/articles", `{"headline": "x", "section_id": 99999999999999999999}`, "", 400, problemBody, "section_id"},
			{"invalid UTF-8", "POST", "/api/v1/articles", "{\"headline\": \"\xff\xfe\"}", "", 400, problemBody, "body"},
			{"deep nesting", "POST", "/api/v1/articles", deep, "", 400, problemBody, "body"},
			{"no such section", "POST", "/api/v1/articles", `{"headline": "x", "section_id": 987654}`, "", 422, problemValidation, ""},
			{"negative author", "POST", "/api/v1/articles", `{"headline": "x", "section_id": ` + sec + `, "author_ids": [-4]}`, "", 422, problemValidation, ""},
			{"unknown block type", "POST", "/api/v1/articles", `{"headline": "x", "section_id": ` + sec + `, "blocks": [{"type": "script", "text": "x"}]}`, "", 422, problemValidation, "blocks"},
			{"script in a paragraph is cleaned", "POST", "/api/v1/articles", `{"headline": "<script>x</script>", "section_id": ` + sec + `, "blocks": [{"type": "paragraph", "text": "<script>alert(1)</script>نص"}]}`, "", 201, "", ""},
			{"control characters", "POST", "/api/v1/articles", `{"headline": "\u0000\u0001", "section_id": ` + sec + `}`, "", 422, problemValidation, "headline"},
			{"text/plain", "POST", "/api/v1/articles", `{"headline": "x"}`, "text/plain", 415, problemMediaType, ""},
			{"form", "POST", "/api/v1/articles", `headline=x`, "application/x-www-form-urlencoded", 415, problemMediaType, ""},
			{"huge body", "POST", "/api/v1/articles", `{"headline": "` + strings.Repeat("x", MaxWriteBody) + `"}`, "", 413, problemTooLarge, ""},
			{"huge step body", "POST", articlePath(a.ID) + "/submit", `{"at": "` + strings.Repeat("x", 20000) + `"}`, "", 413, problemTooLarge, ""},
			{"bad time", "POST", articlePath(a.ID) + "/schedule", `{"at": "tomorrow"}`, "", 400, problemBody, "body"},
			{"bad id", "PATCH", "/api/v1/articles/abc", `{}`, "", 404, problemNotFound, ""},
			{"huge id", "PATCH", "/api/v1/articles/99999999999999999999999", `{}`, "", 404, problemNotFound, ""},
			{"no article", "PATCH", "/api/v1/articles/987654", `{}`, "", 404, problemNotFound, ""},
			{"tag of no name", "POST", "/api/v1/tags", `{"name": "!!!"}`, "", 422, problemValidation, "name"},
			{"tag too long", "POST", "/api/v1/tags", `{"name": "` + strings.Repeat("و", 300) + `"}`, "", 422, problemValidation, "tags"},
			{"section of a loop", "PATCH", "/api/v1/sections/" + sec, `{"parent_id": ` + sec + `}`, "", 422, problemValidation, ""},
			{"section slug taken", "POST", "/api/v1/sections", `{"name": "سياسة ثانية", "slug": "politics"}`, "", 422, "", ""},
			{"author without a name", "POST", "/api/v1/authors", `{"bio": "x"}`, "", 422, problemValidation, "name"},
		}
		for _, c := range cases {
			h := http.Header{"Content-Type": {"application/json"}, "If-Match": {etagOf(a.Version)}}
			if c.ct != "" {
				h.Set("Content-Type", c.ct)
			}
			for k, v := range tok {
				h[k] = v
			}
			r := f.client(t).Do(c.method, c.path, strings.NewReader(c.body), h)
			out := map[string]any{}
			if strings.Contains(r.Header.Get("Content-Type"), "json") {
				decodeInto(r.Body, &out)
			}
			if r.Status != c.status && !(c.name == "section slug taken" && r.Status == 409) {
				t.Errorf("%s: %d, want %d (%.300s)", c.name, r.Status, c.status, r.Body)
				continue
			}
			if c.kind != "" && problemType(r, out) != c.kind {
				t.Errorf("%s: problem %q, want %q (%.300s)", c.name, problemType(r, out), c.kind, r.Body)
			}
			if c.field != "" && !strings.Contains(strings.Join(errorNames(out), ","), c.field) {
				t.Errorf("%s: errors %v, want %s named", c.name, errorNames(out), c.field)
			}
			// A headline is plain text, escaped where it is shown; a
			// paragraph's markup is cut to the inline subset.
			if c.status == 201 && !strings.Contains(r.Body, `"blocks":[{"type":"paragraph","text":"نص"}]`) {
				t.Errorf("%s: %s", c.name, r.Body)
			}
		}
	})
}

// TestWriteRate: a token past its burst of writes is refused with 429
// and when to retry; another token is not.
func TestWriteRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, func(o *Options) { o.WriteBurst, o.WriteRefill = 3, time.Hour })
		_, tok := f.bearer(t, auth.RoleEditor)
		for i := range 3 {
			if r, _ := f.call(t, "POST", "/api/v1/tags", `{"name": "وسم `+itoa(int64(i))+`"}`, tok); r.Status != 201 {
				t.Fatalf("write %d: %d %s", i, r.Status, r.Body)
			}
		}
		r, out := f.call(t, "POST", "/api/v1/tags", `{"name": "وسم رابع"}`, tok)
		if r.Status != http.StatusTooManyRequests || problemType(r, out) != problemTooMany || r.Header.Get("Retry-After") != "3600" {
			t.Errorf("past the burst: %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
		}
		_, other := f.bearer(t, auth.RoleEditor)
		if r, _ := f.call(t, "POST", "/api/v1/tags", `{"name": "وسم رابع"}`, other); r.Status != 201 {
			t.Errorf("another token: %d %s", r.Status, r.Body)
		}
	})
}

func decodeInto(body string, v any) { json.Unmarshal([]byte(body), v) }
