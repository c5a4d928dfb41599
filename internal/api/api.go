// Package api is Khabar's JSON API, version 1, under /api/v1/.
package api

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/alert"
	"khabar/internal/auth"
	"khabar/internal/comment"
	"khabar/internal/locale"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/throttle"
	"khabar/internal/web"
)

// Options configure the API.
type Options struct {
	Search *search.Service
	Store  *store.Store
	// Settings give the outlet's time zone, in which search dates are read.
	Settings *settings.Live
	// Auth reads the bearer tokens of automation endpoints.
	Auth *auth.Service
	// Comments takes comments; nil leaves the comment endpoints out.
	Comments *comment.Service
	Catalog  *locale.Catalog
	Base     string // public origin for absolute URLs
	// BodyHTML renders an article's body for ninjs, as the feeds do.
	BodyHTML BodyHTML
	// SearchLimit is the per-address search budget shared with the site.
	SearchLimit *throttle.Limiter
	Log         *slog.Logger
	// Fanout checks alerts and names the configured channels; with it
	// come the push and automation endpoints.
	Fanout        *alert.Fanout
	PushPublicKey string
	Guard         outbound.Guard // what push endpoints may be
	// Media is the picture library POST /api/v1/media uploads into; nil
	// leaves the media endpoints out.
	Media *media.Library
	// WriteBurst writes at once per API token, then one every
	// WriteRefill (defaults DefaultWriteBurst, DefaultWriteRefill); the
	// buckets are kept in the store, so the rate holds across nodes.
	WriteBurst  int
	WriteRefill time.Duration
}

// API serves /api/v1/.
type API struct {
	search   *search.Service
	store    *store.Store
	settings *settings.Live
	auth     *auth.Service
	comments *comment.Service
	cat      *locale.Catalog
	base     string
	bodyHTML BodyHTML
	log      *slog.Logger
	limiter  *throttle.Limiter

	fanout         *alert.Fanout
	pushPublicKey  string
	guard          outbound.Guard
	subscribeLimit *throttle.Limiter
	wirePace       *throttle.Limiter

	media       *media.Library
	writeLimit  *throttle.Limiter
	writeRefill time.Duration
}

// New builds the API.
func New(o Options) *API {
	if o.WriteBurst <= 0 {
		o.WriteBurst = DefaultWriteBurst
	}
	if o.WriteRefill <= 0 {
		o.WriteRefill = DefaultWriteRefill
	}
	writeLimit := throttle.NewLimiter(o.WriteBurst, o.WriteRefill)
	if o.Store != nil {
		writeLimit.Share(o.Store, "api-write", o.Log)
	}
	return &API{search: o.Search, store: o.Store, settings: o.Settings, auth: o.Auth, comments: o.Comments, cat: o.Catalog, base: o.Base, bodyHTML: o.BodyHTML, log: o.Log, limiter: o.SearchLimit,
		fanout: o.Fanout, pushPublicKey: o.PushPublicKey, guard: o.Guard, subscribeLimit: throttle.NewLimiter(10, 10*time.Second),
		media: o.Media, writeLimit: writeLimit, writeRefill: o.WriteRefill, wirePace: wirePushLimit()}
}

// route is one endpoint: the ServeMux pattern ("GET /api/v1/articles")
// and what answers it.
type route struct {
	pattern string
	h       http.Handler
}

// routes are the endpoints the API serves with its options: Routes
// registers them, and the OpenAPI test holds the document to them.
func (a *API) routes() []route {
	var out []route
	add := func(pattern string, h http.HandlerFunc) { out = append(out, route{pattern, h}) }
	add("GET "+OpenAPIPath, serveOpenAPI)
	add("GET /api/v1/search", a.searchArticles)
	add("GET /api/v1/search/suggest", a.suggest)
	add("GET /api/v1/articles", a.listArticles)
	add("GET /api/v1/articles/{id}", a.getArticle)
	add("GET /api/v1/sections", a.listSections)
	add("GET /api/v1/tags", a.listTags)
	add("GET /api/v1/authors", a.listAuthors)
	add("GET /api/v1/most-read", a.mostRead)
	// The writes: a bearer token, its rate, a bounded body, and
	// Idempotency-Key on POSTs (write). Bearer tokens are not sent by
	// browsers on their own, so they need no cross-origin protection.
	add("POST /api/v1/articles", a.write(auth.PermWrite, jsonBody, MaxWriteBody, a.createArticle))
	add("PATCH /api/v1/articles/{id}", a.write(auth.PermWrite, jsonBody, MaxWriteBody, a.patchArticle))
	for _, step := range slices.Sorted(maps.Keys(stepActions)) {
		add("POST /api/v1/articles/{id}/"+step, a.write(auth.PermWrite, jsonBody, maxAutomationRequest, a.takeStep(step)))
	}
	add("POST /api/v1/sections", a.write(auth.PermManageSections, jsonBody, maxAutomationRequest, a.sections().create(a)))
	add("PATCH /api/v1/sections/{id}", a.write(auth.PermManageSections, jsonBody, maxAutomationRequest, a.sections().patch(a)))
	add("POST /api/v1/tags", a.write(auth.PermManageSections, jsonBody, maxAutomationRequest, a.createTag))
	add("PATCH /api/v1/tags/{id}", a.write(auth.PermManageSections, jsonBody, maxAutomationRequest, a.patchTag))
	add("POST /api/v1/authors", a.write(auth.PermManageAuthors, jsonBody, maxAutomationRequest, a.authors().create(a)))
	add("PATCH /api/v1/authors/{id}", a.write(auth.PermManageAuthors, jsonBody, maxAutomationRequest, a.authors().patch(a)))
	if a.media != nil {
		add("POST "+MediaPath, a.write(auth.PermWrite, imageBody, a.uploadLimit(), a.uploadMedia))
		add("GET "+MediaPath+"/{id}", a.write(auth.PermWrite, jsonBody, 0, a.getMedia))
		add("PATCH "+MediaPath+"/{id}", a.write(auth.PermWrite, jsonBody, maxAutomationRequest, a.patchMedia))
	}
	// A browser on another site must not post in a reader's name.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.JSONError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	if a.comments != nil {
		add("GET /api/v1/articles/{id}/comments", a.listComments)
		add("GET /api/v1/articles/{id}/comments/token", a.commentToken)
		add("POST /api/v1/articles/{id}/comments", cop.Handler(http.HandlerFunc(a.postComment)).ServeHTTP)
	}
	if a.fanout != nil {
		add("GET /api/v1/push/key", a.pushKey)
		add("POST /api/v1/push/subscriptions", cop.Handler(http.HandlerFunc(a.subscribePush)).ServeHTTP)
		add("DELETE /api/v1/push/subscriptions", cop.Handler(http.HandlerFunc(a.unsubscribePush)).ServeHTTP)
		// Bearer tokens are not sent by browsers on their own, so these
		// need no cross-origin protection: scripts and agency feeds.
		add("POST /api/v1/ticker", a.bearer(auth.PermManageTicker, a.postTicker))
		add("POST /api/v1/alerts", a.bearer(auth.PermPublish, a.postAlert))
	}
	// Agencies' own tokens, not staff ones: no cookies, no cross-origin
	// protection needed.
	add("POST /api/v1/wires", a.pushWire)
	return out
}

// Routes registers the API on mux.
func (a *API) Routes(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, rt.h)
	}
	// The catch-all answers every method, so the mux's own 405 never
	// happens under /api/: it is worked out here.
	mux.HandleFunc(web.APIPrefix, func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			web.JSONError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: use "+allow)
			return
		}
		web.JSONError(w, http.StatusNotFound, "no such endpoint")
	})
}

// allowed lists the methods mux routes r's path with to an endpoint
// rather than to the catch-all, in Allow's form ("GET, HEAD").
func allowed(mux *http.ServeMux, r *http.Request) string {
	var out []string
	for _, m := range []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodPatch, http.MethodPost, http.MethodPut} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != web.APIPrefix && pattern != "" {
			out = append(out, m)
		}
	}
	return strings.Join(out, ", ")
}

type searchResult struct {
	ID          int64   `json:"id"`
	ExternalID  string  `json:"external_id,omitempty"`
	URL         string  `json:"url"`
	Headline    string  `json:"headline"`
	Snippet     string  `json:"snippet"`
	PublishedAt string  `json:"published_at"`
	Score       float64 `json:"score"`
	Partial     bool    `json:"partial,omitempty"` // holds only some of the words
}

type searchResponse struct {
	Total int `json:"total"`
	// Full counts the articles holding every word; the others, when
	// fewer than a page do, follow them, ranked by how many they hold.
	Full    int            `json:"full"`
	Results []searchResult `json:"results"`
	// Suggestion is the query spelled as articles spell it, when no
	// article holds every word and an edit of a word would find some.
	Suggestion string `json:"suggestion,omitempty"`
	// Pages are the outlet's own pages (about, contact…) holding the
	// query, on the first page of unfiltered results.
	Pages []pageResult `json:"pages,omitempty"`
}

type pageResult struct {
	URL     string `json:"url"`
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
}

// Limits of the search endpoint.
const (
	maxLimit  = 50
	maxOffset = 10000
)

// searchAllowed draws the request from its address's search budget, which
// readers share with the search page, unless it carries an API token: a
// partner or an evaluation running a thousand queries a minute is not a
// flood. A token that is not valid is refused rather than ignored, so its
// owner learns why. False when it has answered.
func (a *API) searchAllowed(w http.ResponseWriter, r *http.Request) bool {
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !bearer || a.auth == nil {
		if !a.limiter.Take(web.ClientIP(r)) {
			web.JSONError(w, http.StatusTooManyRequests, "too many requests; slow down (an API token lifts the limit)")
			return false
		}
		return true
	}
	_, err := a.auth.Bearer(r.Context(), token)
	switch {
	case errors.Is(err, news.ErrUnauthenticated):
		w.Header().Set("WWW-Authenticate", `Bearer realm="khabar"`)
		web.JSONError(w, http.StatusUnauthorized, "the API token is not valid")
		return false
	case err != nil:
		a.fail(w, r, err)
		return false
	}
	return true
}

// searchArticles is GET /api/v1/search?q=&limit=&offset=: published
// articles, best first. Snippets carry <mark> around matched words and are
// otherwise HTML-escaped.
func (a *API) searchArticles(w http.ResponseWriter, r *http.Request) {
	if !a.searchAllowed(w, r) {
		return
	}
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), 10, 1, maxLimit)
	if err != "" {
		web.JSONError(w, http.StatusBadRequest, "limit: "+err)
		return
	}
	offset, err := intParam(q.Get("offset"), 0, 0, maxOffset)
	if err != "" {
		web.JSONError(w, http.StatusBadRequest, "offset: "+err)
		return
	}
	raw := q.Get("q")
	if raw == "" {
		web.JSONError(w, http.StatusBadRequest, "q: required")
		return
	}
	// The site's filters, read and looked up as /search does.
	filters, ferr := search.ParseFilters(q, a.settings.Get().DateFormat().Location)
	if invalidParams(w, ferr) {
		return
	}
	opts := search.Options{Statuses: []news.Status{news.StatusPublished}, Offset: offset, Limit: limit}
	if _, ferr := a.search.Apply(r.Context(), filters, &opts); ferr != nil {
		a.fail(w, r, ferr)
		return
	}
	parsed := search.Parse(raw)
	res, serr := a.search.Search(r.Context(), parsed, opts)
	if serr != nil {
		a.fail(w, r, fmt.Errorf("search %q: %w", raw, serr))
		return
	}
	out := searchResponse{Total: res.Total, Full: res.Full, Suggestion: res.Suggestion, Results: []searchResult{}}
	for _, h := range res.Hits {
		out.Results = append(out.Results, searchResult{ID: h.Article.ID, ExternalID: h.Article.ExternalID, URL: a.base + news.ArticlePath(h.Article),
			Headline: h.Article.Headline, Snippet: string(h.Snippet), PublishedAt: h.Article.PublishedAt.UTC().Format(time.RFC3339),
			Score: h.Score, Partial: h.Partial})
	}
	for _, p := range res.Pages {
		out.Pages = append(out.Pages, pageResult{URL: a.base + news.ListPath("page", p.Page.Slug), Title: p.Page.Title, Snippet: string(p.Snippet)})
	}
	web.JSON(w, http.StatusOK, "no-store", out)
}

// suggest is GET /api/v1/search/suggest?q=: search as you type, as the
// site's field has it (up to eight headlines, sections, tags and authors
// whose words start with what was typed), with absolute URLs. Fewer than
// two letters: no suggestions.
func (a *API) suggest(w http.ResponseWriter, r *http.Request) {
	if !a.searchAllowed(w, r) {
		return
	}
	ans, err := a.search.Answer(r.Context(), r.URL.Query().Get("q"), a.base)
	if invalidParams(w, err) {
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, search.TypeaheadMaxAge, ans)
}

// invalidParams answers a *news.InvalidError about query parameters: a
// 400 naming each, as for limit and offset (a form's is a 422). False,
// having answered nothing, for any other err.
func invalidParams(w http.ResponseWriter, err error) bool {
	var ie *news.InvalidError
	if !errors.As(err, &ie) {
		return false
	}
	web.JSON(w, http.StatusBadRequest, "no-store", map[string]any{"error": "invalid", "fields": ie.Fields})
	return true
}

const errNotNumber = "not a whole number"

// intParam parses an optional whole number within [lo, hi].
func intParam(s string, def, lo, hi int) (int, string) {
	if s == "" {
		return def, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errNotNumber
	}
	if n < lo || n > hi {
		return 0, "must be from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
	}
	return n, ""
}
