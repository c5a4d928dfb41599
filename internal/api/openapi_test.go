package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/throttle"
)

// The OpenAPI document (openapi.json) is written by hand beside the
// handlers. These tests hold it to them: it is a valid OpenAPI 3.1
// document, its operations are exactly the routes the API registers,
// and what the real handlers answer (status, headers, content type,
// body) is what it says, for a request per operation and its main
// errors, on SQLite and PostgreSQL.

// openAPISpec is the embedded document, loaded and validated once.
var openAPISpec = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIDoc)
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableMultiError()); err != nil {
		return nil, fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
	}
	return doc, nil
})

// Contract checks answers against the document: the request's route
// must be documented, and the answer must be one it documents. Its seen
// operations tell which the test exercised. Exported for the package's
// external tests (ninjs of the demo, through a whole node).
type Contract struct {
	doc    *openapi3.T
	router routers.Router
	mu     sync.Mutex
	seen   map[string]bool // operation ids
}

// NewContract loads the document; an invalid one fails the test.
func NewContract(t testing.TB) *Contract {
	t.Helper()
	doc, err := openAPISpec()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("route the document: %v", err)
	}
	return &Contract{doc: doc, router: router, seen: map[string]bool{}}
}

// Check fails t unless the answer res to method path (sent with header
// and body) is one the document describes. A successful request is
// checked too: what the document says a client may send, the handler
// took.
func (c *Contract) Check(t testing.TB, method, path string, header http.Header, body []byte, res storetest.Response) {
	t.Helper()
	if err := c.validate(method, path, header, body, res); err != nil {
		t.Errorf("%s %s → %d %s: not as openapi.json says: %v\n%s", method, path, res.Status, res.Header.Get("Content-Type"), err, clip(res.Body))
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// validate is Check's verdict.
func (c *Contract) validate(method, path string, header http.Header, body []byte, res storetest.Response) error {
	req := httptest.NewRequest(method, "http://khabar.test"+path, bytes.NewReader(body))
	maps.Copy(req.Header, header)
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no documented operation: %w", err)
	}
	c.mu.Lock()
	c.seen[route.Operation.OperationID] = true
	c.mu.Unlock()
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if res.Status < 300 {
		// Only JSON bodies have a schema to hold them to; an image or
		// an XML wire is checked by the library or the wire parser.
		if ct := header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
			in.Options.ExcludeRequestBody = true
		}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return fmt.Errorf("the request, which the handler took: %w", err)
		}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.Status, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes([]byte(res.Body))
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return err
	}
	// The validator leaves 304 and bodiless answers be; a body the
	// document gives no media type for is a mismatch all the same.
	if res.Body != "" && res.Status != http.StatusNotModified && method != http.MethodHead {
		if rr := route.Operation.Responses.Status(res.Status); rr != nil && len(rr.Value.Content) == 0 {
			return fmt.Errorf("a body the document does not describe (%s)", res.Header.Get("Content-Type"))
		}
	}
	return nil
}

// operations are the document's operation ids, sorted.
func (c *Contract) operations() []string {
	var ids []string
	for _, item := range c.doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestOpenAPIDocument: the document is valid OpenAPI 3.1 (kin-openapi
// validates it, with JSON Schema 2020-12 for its schemas), every
// operation has an id, and the validator does refuse an answer that is
// not what the document says, so the contract test cannot pass by
// checking nothing.
func TestOpenAPIDocument(t *testing.T) {
	c := NewContract(t)
	if c.doc.OpenAPI != "3.1.0" || !c.doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi %q, want 3.1.0", c.doc.OpenAPI)
	}
	ids := c.operations()
	if len(ids) == 0 || slices.Contains(ids, "") || len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("operation ids must be there and unique: %q", ids)
	}
	jsonType := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	problemType := http.Header{"Content-Type": {"application/problem+json"}, "Www-Authenticate": {`Bearer realm="khabar"`}}
	for _, bad := range []struct {
		name, path string
		res        storetest.Response
	}{
		{"a field of the wrong type", "/api/v1/articles", storetest.Response{Status: 200, Header: jsonType, Body: `{"articles": "none"}`}},
		{"a required field missing", "/api/v1/sections", storetest.Response{Status: 200, Header: jsonType, Body: `{"sections": [{"id": 1, "slug": "a", "name": "a"}]}`}},
		{"a field the shape does not have", "/api/v1/tags", storetest.Response{Status: 200, Header: jsonType, Body: `{"tags": [], "more": true}`}},
		{"an undocumented status", "/api/v1/sections", storetest.Response{Status: 418, Header: jsonType, Body: `{"error": "teapot"}`}},
		{"the wrong media type", "/api/v1/articles", storetest.Response{Status: 400, Header: jsonType, Body: `{"error": "x"}`}},
		{"a problem without its type", "/api/v1/articles?status=draft", storetest.Response{Status: 401, Header: problemType, Body: `{"title": "Unauthorized", "status": 401}`}},
		{"an unknown block", "/api/v1/articles/1", storetest.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}, "Etag": {`"1"`}},
			Body: `{"id":1,"url":"http://khabar.test/news/1/x","slug":"x","headline":"x","kicker":"","lead":"","section_id":1,"author_ids":[],"tags":[],
			"blocks":[{"type":"marquee","text":"x"}],"source":"","language":"ar","status":"published","version":1,"breaking":false,"pinned":false,
			"published_at":"2026-03-01T09:00:00Z","updated_at":"2026-03-01T09:00:00Z","has_staged_update":false}`}},
		{"a path no operation has", "/api/v1/nothing", storetest.Response{Status: 404, Header: jsonType, Body: `{"error": "no such endpoint"}`}},
	} {
		if err := c.validate("GET", bad.path, nil, nil, bad.res); err == nil {
			t.Errorf("%s: the validator took %s", bad.name, bad.res.Body)
		}
	}
}

func TestOpenAPIRoutes(t *testing.T) { storetest.Each(t, testOpenAPIRoutes) }

// testOpenAPIRoutes: every route the API registers (with every option
// on, as the app builds it) is a documented operation, and every
// documented operation is a route the mux sends to its handler, not to
// the catch-all's 404 or 405. GET routes answer HEAD too, as ServeMux
// does, and the document says so once rather than per path.
func testOpenAPIRoutes(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	c := NewContract(t)
	base := strings.TrimSuffix(c.doc.Servers[0].URL, "/")
	if base != "/api/v1" {
		t.Fatalf("server %q: the paths are written relative to /api/v1", base)
	}
	documented := map[string]bool{}
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+base+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range f.api.routes() {
		if served[rt.pattern] {
			t.Errorf("%s registered twice", rt.pattern)
		}
		served[rt.pattern] = true
		if !documented[rt.pattern] {
			t.Errorf("%s is served but not in openapi.json", rt.pattern)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("%s is in openapi.json but not served", op)
			continue
		}
		// The mux itself routes a request of that method and path, with
		// an id in place of {id}, to that very pattern.
		method, path, _ := strings.Cut(op, " ")
		req := httptest.NewRequest(method, strings.ReplaceAll(path, "{id}", "12"), nil)
		if _, pattern := f.h.(*http.ServeMux).Handler(req); pattern != op {
			t.Errorf("%s %s reaches %q, want %q", method, req.URL.Path, pattern, op)
		}
	}
}

func TestOpenAPIContract(t *testing.T) { storetest.Each(t, testOpenAPIContract) }

// testOpenAPIContract drives the real handlers through a request per
// operation, its success and its main refusals (400, 401, 403, 404, 409,
// 412, 413, 415, 422, 423, 428, 429), and checks every answer against
// the document; every operation must have been exercised. ninjs needs
// the site's body renderer and is checked through a whole node by
// TestNinjsOfDemoArticles.
func testOpenAPIContract(t *testing.T, s *store.Store) {
	// One search without a token, then the address's budget is spent.
	f := newFixture(t, s, func(o *Options) { o.SearchLimit = throttle.NewLimiter(1, time.Hour) })
	c := NewContract(t)
	ctx := context.Background()
	_, writer := f.bearer(t, auth.RoleWriter)
	_, editor := f.bearer(t, auth.RoleEditor)
	_, moderator := f.bearer(t, auth.RoleModerator)
	other, _ := storetest.Staff(t, s, auth.RoleEditor)
	badToken := http.Header{"Authorization": {"Bearer no-such-token"}}
	asJSON := http.Header{"Content-Type": {"application/json"}}
	call := func(method, path, body string, want int, hdrs ...http.Header) map[string]any {
		t.Helper()
		h := merged(hdrs...)
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := f.client(t).Do(method, path, rd, h)
		if r.Status != want {
			t.Errorf("%s %s: %d, want %d: %s", method, path, r.Status, want, clip(r.Body))
		}
		c.Check(t, method, path, h, []byte(body), r)
		var out map[string]any
		json.Unmarshal([]byte(r.Body), &out)
		if out == nil {
			out = map[string]any{}
		}
		out["ETag"] = r.Header.Get("ETag")
		return out
	}
	idOf := func(out map[string]any) string {
		t.Helper()
		id, ok := out["id"].(float64)
		if !ok {
			t.Fatalf("no id in %v", out)
		}
		return itoa(int64(id))
	}
	match := func(out map[string]any) http.Header { return http.Header{"If-Match": {out["ETag"].(string)}} }

	// The document itself.
	doc := call("GET", OpenAPIPath, "", 200)
	call("GET", OpenAPIPath, "", 304, http.Header{"If-None-Match": {doc["ETag"].(string)}})

	// Reads.
	pub := f.article(t, news.StatusPublished, "خبر منشور عن المدرسة", "نص الخبر عن المدرسة")
	pubPath := articlePath(pub.ID)
	call("GET", "/api/v1/articles", "", 200)
	call("GET", "/api/v1/articles?limit=1", "", 200)
	call("GET", "/api/v1/articles?limit=0&cursor=x&section=no-such-section", "", 400)
	call("GET", "/api/v1/articles?status=draft", "", 401)
	call("GET", "/api/v1/articles", "", 401, badToken)
	call("GET", "/api/v1/articles?status=draft", "", 403, moderator)
	call("GET", "/api/v1/articles?status=review", "", 200, editor)
	read := call("GET", pubPath, "", 200)
	call("GET", pubPath, "", 304, http.Header{"If-None-Match": {read["ETag"].(string)}})
	call("GET", pubPath+"?format=rss", "", 400)
	call("GET", "/api/v1/articles/999999", "", 404)
	call("GET", pubPath, "", 401, badToken)
	call("GET", "/api/v1/sections", "", 200)
	call("GET", "/api/v1/authors", "", 200)
	call("GET", "/api/v1/most-read", "", 200)
	call("GET", "/api/v1/most-read?section=no-such-section", "", 400)
	call("GET", "/api/v1/tags?limit=1", "", 200)
	call("GET", "/api/v1/tags?cursor=!", "", 400)

	// Writes of articles, and the workflow.
	draft := call("POST", "/api/v1/articles", f.newDraft("خبر من وكالة"), 201, writer, asJSON, http.Header{"Idempotency-Key": {"contract-1"}})
	draftPath := articlePath(int64(draft["id"].(float64)))
	call("POST", "/api/v1/articles", `{"kicker": "بلا عنوان"}`, 422, writer, asJSON)
	call("POST", "/api/v1/articles", `{"headline": "x", "colour": "red"}`, 400, writer, asJSON)
	call("POST", "/api/v1/articles", `headline=x`, 415, writer, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	call("POST", "/api/v1/articles", `{"headline": "`+strings.Repeat("x", MaxWriteBody)+`"}`, 413, writer, asJSON)
	call("POST", "/api/v1/articles", f.newDraft("x"), 401, asJSON)
	call("POST", "/api/v1/articles", f.newDraft("x"), 403, moderator, asJSON)
	call("POST", "/api/v1/articles", f.newDraft("خبر آخر"), 422, writer, asJSON, http.Header{"Idempotency-Key": {"contract-1"}})
	call("PATCH", draftPath, `{"lead": "مقدمة جديدة"}`, 428, writer, asJSON)
	call("PATCH", draftPath, `{"lead": "مقدمة جديدة"}`, 412, writer, asJSON, http.Header{"If-Match": {`"99"`}})
	call("PATCH", "/api/v1/articles/999999", `{"lead": "x"}`, 404, writer, asJSON, http.Header{"If-Match": {`"1"`}})
	draft = call("PATCH", draftPath, `{"lead": "مقدمة جديدة", "status": "draft"}`, 200, writer, asJSON, match(draft))
	call("PATCH", draftPath, `{"status": "published"}`, 422, writer, asJSON, match(draft))
	call("POST", draftPath+"/publish", "", 403, writer, match(draft))
	call("POST", draftPath+"/submit", `{"at": "2030-01-01T00:00:00Z"}`, 400, writer, asJSON, match(draft))
	draft = call("POST", draftPath+"/submit", "", 200, writer, match(draft))
	call("PATCH", draftPath, `{"lead": "بعد الإرسال"}`, 409, writer, asJSON, match(draft))
	call("POST", draftPath+"/publish", `{"alert": ["pigeon"]}`, 422, editor, asJSON, match(draft))
	draft = call("POST", draftPath+"/publish", `{}`, 200, editor, asJSON, match(draft))
	call("POST", draftPath+"/publish", "", 409, editor, match(draft))
	draft = call("POST", draftPath+"/unpublish", "", 200, editor, match(draft))
	planned := call("POST", "/api/v1/articles", f.newDraft("خبر مخطط"), 201, editor, asJSON)
	at := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	call("POST", articlePath(int64(planned["id"].(float64)))+"/schedule", `{"at": "`+at+`"}`, 200, editor, asJSON, match(planned))
	locked := call("POST", "/api/v1/articles", f.newDraft("خبر محجوز"), 201, editor, asJSON)
	if _, err := s.EnterArticle(ctx, int64(locked["id"].(float64)), other.Actor(), store.Claim, news.EditTTL); err != nil {
		t.Fatal(err)
	}
	call("PATCH", articlePath(int64(locked["id"].(float64))), `{"kicker": "x"}`, 423, editor, asJSON, match(locked))

	// Sections, tags, authors.
	sec := call("POST", "/api/v1/sections", `{"name": "رياضة", "slug": "sport", "parent_id": null}`, 201, editor, asJSON)
	call("POST", "/api/v1/sections", `{"name": "رياضة أخرى", "slug": "sport"}`, 422, editor, asJSON) // slug_taken
	call("POST", "/api/v1/sections", `{"slug": "no-name"}`, 422, editor, asJSON)
	call("POST", "/api/v1/sections", `{"name": "x"}`, 403, writer, asJSON)
	call("PATCH", "/api/v1/sections/"+idOf(sec), `{"description": "أخبار الرياضة"}`, 200, editor, asJSON)
	call("PATCH", "/api/v1/sections/999999", `{"name": "x"}`, 404, editor, asJSON)
	call("PATCH", "/api/v1/sections/"+idOf(sec), `{"colour": "red"}`, 400, editor, asJSON)
	tag := call("POST", "/api/v1/tags", `{"name": "الانتخابات النيابية"}`, 201, editor, asJSON)
	call("POST", "/api/v1/tags", `{"name": "الانتخابات النيابية"}`, 200, editor, asJSON)
	call("POST", "/api/v1/tags", `{"name": ""}`, 422, editor, asJSON)
	call("PATCH", "/api/v1/tags/"+idOf(tag), `{"name": "انتخابات نيابية"}`, 200, editor, asJSON)
	call("PATCH", "/api/v1/tags/999999", `{"name": "x"}`, 404, editor, asJSON)
	author := call("POST", "/api/v1/authors", `{"name": "ليلى حداد", "name_latin": "Layla Haddad", "job_title": "مراسلة"}`, 201, editor, asJSON)
	call("POST", "/api/v1/authors", `{"bio": "بلا اسم"}`, 422, editor, asJSON)
	call("PATCH", "/api/v1/authors/"+idOf(author), `{"bio": "مراسلة في بيروت"}`, 200, editor, asJSON)
	call("PATCH", "/api/v1/authors/999999", `{"bio": "x"}`, 404, editor, asJSON)

	// Media.
	png := string(pngOf(t, 7))
	pngType := http.Header{"Content-Type": {"image/png"}}
	img := call("POST", MediaPath, png, 201, writer, pngType)
	call("POST", MediaPath, png, 200, writer, pngType)
	call("POST", MediaPath, "not a picture", 415, writer, http.Header{"Content-Type": {"text/plain"}})
	call("POST", MediaPath, "\x89PNG\r\n\x1a\nbroken", 422, writer, pngType)
	call("GET", mediaPath(int64(img["id"].(float64))), "", 200, writer)
	call("GET", mediaPath(int64(img["id"].(float64))), "", 401)
	call("GET", mediaPath(999999), "", 404, writer)
	call("PATCH", mediaPath(int64(img["id"].(float64))), `{"alt": "ملعب", "caption": "الملعب", "credit": "وكالة"}`, 200, writer, asJSON)

	// Search.
	f.reindex(t)
	call("GET", "/api/v1/search?q=المدرسة", "", 200)
	call("GET", "/api/v1/search?q=المدرسة", "", 429)
	call("GET", "/api/v1/search?q=المدرسة&limit=5&sort=date", "", 200, editor)
	call("GET", "/api/v1/search", "", 400, editor)
	call("GET", "/api/v1/search?q=x&from=yesterday", "", 400, editor)
	call("GET", "/api/v1/search?q=x&section=no-such-section", "", 404, editor)
	call("GET", "/api/v1/search?q=x", "", 401, badToken)
	call("GET", "/api/v1/search/suggest?q=المدر", "", 200, editor)
	call("GET", "/api/v1/search/suggest?q=%01%02", "", 400, editor)

	// Comments.
	comments := pubPath + "/comments"
	call("GET", comments+"?sort=oldest", "", 200)
	call("GET", comments+"?page=0", "", 400)
	call("GET", draftPath+"/comments", "", 404)
	call("GET", comments+"/token", "", 200)
	call("GET", draftPath+"/comments/token", "", 404)
	posted := call("POST", comments, `{"name": "ريم", "body": "تعليق مفيد", "token": "`+f.token(t, pub.ID)+`"}`, 201, asJSON)
	f.approve(t, int64(posted["id"].(float64)))
	call("POST", comments, `{"name": "ريم", "body": "", "token": "`+f.token(t, pub.ID)+`"}`, 422, asJSON)
	call("POST", comments, `{"name": "ريم", "body": "نص", "token": "forged"}`, 400, asJSON)
	call("POST", comments, `{"name":`, 400, asJSON)
	call("POST", comments, `{"name": "ريم", "body": "نص"}`, 403, asJSON, crossSite)
	call("GET", comments, "", 200)

	// Push subscriptions, the ticker and alerts.
	call("GET", "/api/v1/push/key", "", 200)
	call("POST", "/api/v1/push/subscriptions", `{"subscription": `+goodSubscription+`, "topics": ["breaking"]}`, 201, asJSON)
	call("POST", "/api/v1/push/subscriptions", `{"subscription": {}}`, 400, asJSON)
	call("POST", "/api/v1/push/subscriptions", `{"subscription": `+goodSubscription+`}`, 403, asJSON, crossSite)
	call("DELETE", "/api/v1/push/subscriptions", `{"endpoint": "https://push.example.com/x"}`, 204, asJSON)
	call("DELETE", "/api/v1/push/subscriptions", `{}`, 400, asJSON)
	call("POST", "/api/v1/ticker", `{"text": "عاجل: خبر", "url": "/news/1"}`, 201, editor, asJSON)
	call("POST", "/api/v1/ticker", `{"text": ""}`, 422, editor, asJSON)
	call("POST", "/api/v1/ticker", `{"text":`, 400, editor, asJSON)
	call("POST", "/api/v1/ticker", `{"text": "x"}`, 401, asJSON)
	call("POST", "/api/v1/ticker", `{"text": "x"}`, 403, writer, asJSON)
	call("POST", "/api/v1/alerts", `{"title": "عاجل", "text": "خبر", "url": "https://khabar.test/news/1"}`, 201, editor, asJSON)
	call("POST", "/api/v1/alerts", `{"text": "بلا عنوان"}`, 422, editor, asJSON)
	call("POST", "/api/v1/alerts", `{"title": "x", "url": "https://khabar.test/"}`, 403, writer, asJSON)

	// Wires, with an agency's own token.
	_, agency := f.agencyToken(t, "وكالة العقد")
	raw, err := os.ReadFile("../wire/testdata/ar-ninjs-2.2.json")
	if err != nil {
		t.Fatal(err)
	}
	ninjs := string(raw)
	ninjsType := http.Header{"Content-Type": {"application/ninjs+json"}}
	call("POST", "/api/v1/wires", ninjs, 201, agency, ninjsType)
	call("POST", "/api/v1/wires", ninjs, 200, agency, ninjsType)
	call("POST", "/api/v1/wires", "not a wire", 422, agency, http.Header{"Content-Type": {"text/plain"}})
	call("POST", "/api/v1/wires", ninjs, 401, writer, ninjsType)

	// Last: a token past its rate (the bucket is the token's own).
	_, busy := f.bearer(t, auth.RoleModerator)
	for i := 0; ; i++ {
		r := f.client(t).Do("POST", "/api/v1/tags", strings.NewReader(`{"name": "x"}`), merged(busy, asJSON))
		if r.Status == http.StatusTooManyRequests {
			c.Check(t, "POST", "/api/v1/tags", merged(busy, asJSON), []byte(`{"name": "x"}`), r)
			break
		}
		if r.Status != http.StatusForbidden || i > 2*DefaultWriteBurst {
			t.Fatalf("write %d of a moderator's token: %d %s", i, r.Status, r.Body)
		}
	}

	for _, id := range c.operations() {
		if !c.seen[id] {
			t.Errorf("operation %s was not exercised", id)
		}
	}
}

// merged is the headers of hs in one.
func merged(hs ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range hs {
		maps.Copy(out, h)
	}
	return out
}

// TestAPIDocListsOperations: docs/API.md lists the document's operations
// between its openapi:operations markers, as operationsTable renders
// them, so the list there never drifts from openapi.json.
func TestAPIDocListsOperations(t *testing.T) {
	c := NewContract(t)
	md, err := os.ReadFile("../../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- openapi:operations -->\n", "<!-- /openapi:operations -->"
	_, rest, ok1 := strings.Cut(string(md), begin)
	table, _, ok2 := strings.Cut(rest, end)
	if want := operationsTable(c.doc); !ok1 || !ok2 || table != want {
		t.Errorf("docs/API.md's list of operations is not openapi.json's; between the markers it should read:\n%s", want)
	}
}

// operationsTable renders the document's operations as a Markdown
// table: method, path, summary and the token each needs.
func operationsTable(doc *openapi3.T) string {
	var b strings.Builder
	b.WriteString("| method | path | what | token |\n|---|---|---|---|\n")
	base := strings.TrimSuffix(doc.Servers[0].URL, "/")
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(path)
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			var anonymous bool
			var schemes []string
			for _, req := range security {
				if len(req) == 0 {
					anonymous = true
				}
				schemes = append(schemes, slices.Sorted(maps.Keys(req))...)
			}
			token := "none"
			switch {
			case slices.Contains(schemes, "agencyToken"):
				token = "agency's"
			case len(schemes) > 0 && anonymous:
				token = "optional"
			case len(schemes) > 0:
				token = "staff"
			}
			fmt.Fprintf(&b, "| %s | `%s%s` | %s | %s |\n", method, base, path, op.Summary, token)
		}
	}
	return b.String()
}
