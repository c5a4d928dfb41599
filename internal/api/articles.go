package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// Limits of the content API's lists.
const (
	defaultPage = 20
	maxPage     = 100
	// maxParam bounds any query value: ids, slugs, cursors and dates are
	// all far shorter.
	maxParam = 400
)

// publicMaxAge is how long a published read without a token may be
// cached: briefly, so corrections reach partners within a minute.
const publicMaxAge = "public, max-age=60"

// articleJSON is an article as the content API reads it, named after the
// block model; the writes will take the same shape. Text in blocks is the
// sanitised HTML subset the block model stores.
type articleJSON struct {
	ID              int64        `json:"id"`
	URL             string       `json:"url"`
	Slug            string       `json:"slug"`
	Headline        string       `json:"headline"`
	Kicker          string       `json:"kicker"`
	Lead            string       `json:"lead"`
	SectionID       int64        `json:"section_id"`
	AuthorIDs       []int64      `json:"author_ids"`
	Tags            []tagJSON    `json:"tags"`
	Blocks          []news.Block `json:"blocks"`
	FeaturedMediaID int64        `json:"featured_media_id,omitempty"`
	Source          string       `json:"source"`
	Language        string       `json:"language"`
	Status          news.Status  `json:"status"`
	Version         int64        `json:"version"`
	Breaking        bool         `json:"breaking"`
	Pinned          bool         `json:"pinned"`
	PublishedAt     *string      `json:"published_at"` // null before publication
	UpdatedAt       string       `json:"updated_at"`
	ExternalID      string       `json:"external_id,omitempty"`
	// HasStagedUpdate: a published article has changes waiting for an
	// editor's publish; reads without it show the live version.
	HasStagedUpdate bool `json:"has_staged_update"`
}

type tagJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// articleOut shapes a for the API.
func (a *API) articleOut(art *news.Article) articleJSON {
	out := articleJSON{ID: art.ID, URL: a.base + news.ArticlePath(art), Slug: art.Slug, Headline: art.Headline, Kicker: art.Kicker, Lead: art.Lead,
		SectionID: art.SectionID, AuthorIDs: []int64{}, Tags: []tagJSON{}, Blocks: art.Body, FeaturedMediaID: art.FeaturedID,
		Source: art.Source, Language: art.Language, Status: art.Status, Version: art.Version, Breaking: art.Breaking, Pinned: art.Pinned,
		UpdatedAt: rfc3339(art.UpdatedAt), ExternalID: art.ExternalID, HasStagedUpdate: art.HasStaged}
	if out.Blocks == nil {
		out.Blocks = []news.Block{}
	}
	for _, au := range art.Authors {
		out.AuthorIDs = append(out.AuthorIDs, au.ID)
	}
	for _, t := range art.Tags {
		out.Tags = append(out.Tags, tagJSON{ID: t.ID, Slug: t.Slug, Name: t.Name})
	}
	if !art.PublishedAt.IsZero() {
		p := rfc3339(art.PublishedAt)
		out.PublishedAt = &p
	}
	return out
}

// reader is who asks: nil without a token. A token that is not valid is
// refused (401) rather than read as no token, so its owner learns why;
// false when it has answered.
func (a *API) reader(w http.ResponseWriter, r *http.Request) (*auth.User, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, true
	}
	token, bearer := strings.CutPrefix(h, "Bearer ")
	if !bearer || a.auth == nil {
		unauthorized(w, "the Authorization header must be: Bearer <token>")
		return nil, false
	}
	u, err := a.auth.Bearer(r.Context(), token)
	if err != nil {
		a.failProblem(w, r, err)
		return nil, false
	}
	return u, true
}

// readCache is the Cache-Control of a read: public and brief without a
// token, never stored with one.
func readCache(w http.ResponseWriter, u *auth.User) string {
	w.Header().Add("Vary", "Authorization")
	if u == nil {
		return publicMaxAge
	}
	return "private, no-store"
}

// cursor is the key of the last article of a page. Mode tells which
// order it belongs to, so a cursor of one order is refused in another.
type cursor struct {
	mode byte // 'p': published_at, 'u': updated_at
	at   time.Time
	id   int64
}

func (c cursor) String() string {
	raw := fmt.Sprintf("%c%d.%d", c.mode, c.at.UnixMicro(), c.id)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

var errCursor = errors.New("bad cursor")

func parseCursor(s string, mode byte) (cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 2 || raw[0] != mode {
		return cursor{}, errCursor
	}
	at, id, ok := strings.Cut(string(raw[1:]), ".")
	if !ok {
		return cursor{}, errCursor
	}
	micro, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return cursor{}, errCursor
	}
	return cursor{mode: mode, at: time.UnixMicro(micro).UTC(), id: n}, nil
}

// onePage cuts a list read with one more than a page to the page, and
// tells whether another follows: so a walk never ends on an empty page.
func onePage[T any](list []T, limit int) ([]T, bool) {
	return list[:min(len(list), limit)], len(list) > limit
}

// limitReason is the reason code of intParam's complaint.
func limitReason(complaint string) string {
	if complaint == errNotNumber {
		return "not_a_number"
	}
	return "out_of_range"
}

// readable statuses a token may ask for with status=.
var readable = map[string]news.Status{
	string(news.StatusDraft): news.StatusDraft, string(news.StatusReview): news.StatusReview, string(news.StatusScheduled): news.StatusScheduled,
	string(news.StatusPublished): news.StatusPublished, string(news.StatusUnpublished): news.StatusUnpublished,
}

// listArticles is GET /api/v1/articles: published articles newest first,
// a page at a time (see docs/API.md, "Articles").
func (a *API) listArticles(w http.ResponseWriter, r *http.Request) {
	u, ok := a.reader(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var bad badParams
	for name, vs := range q {
		if slices.ContainsFunc(vs, func(v string) bool { return !utf8.ValidString(v) || len(v) > maxParam }) {
			// Named once, and read no further.
			bad.add(name, "malformed")
			q.Del(name)
		}
	}
	f := store.FeedFilter{}
	limit, lerr := intParam(q.Get("limit"), defaultPage, 1, maxPage)
	if lerr != "" {
		bad.add("limit", limitReason(lerr))
	}
	f.Limit = limit
	if s := q.Get("updated_since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			bad.add("updated_since", "bad_time")
		}
		f.UpdatedSince = t
	}
	status := news.StatusPublished
	if s := q.Get("status"); s != "" {
		st, known := readable[s]
		if !known {
			bad.add("status", "unknown_status")
		}
		status = st
	}
	if err := a.lookupFilters(r, q, &f, &bad); err != nil {
		a.failProblem(w, r, err)
		return
	}
	mode := byte('p')
	if !f.UpdatedSince.IsZero() || status != news.StatusPublished {
		mode = 'u'
	}
	if s := q.Get("cursor"); s != "" {
		c, err := parseCursor(s, mode)
		if err != nil {
			bad.add("cursor", "bad_cursor")
		}
		f.AfterAt, f.AfterID = c.at, c.id
	}
	if bad.answer(w) {
		return
	}
	if status != news.StatusPublished {
		// Other states are the newsroom's: a token is needed, of someone
		// who writes; a writer reads their own articles only.
		switch {
		case u == nil:
			unauthorized(w, "status="+string(status)+" needs an API token")
			return
		case !u.Can(auth.PermWrite):
			problemOf(w, http.StatusForbidden, problemForbidden, "the token's user ("+string(u.Role)+") may read published articles only")
			return
		case !u.Staff().Desk:
			f.MadeBy = u.ID
		}
		f.Statuses = []news.Status{status}
	}
	f.Limit++
	list, err := a.store.Feed(r.Context(), f)
	f.Limit--
	list, more := onePage(list, f.Limit)
	if err != nil {
		a.failProblem(w, r, fmt.Errorf("list articles: %w", err))
		return
	}
	out := struct {
		Articles   []articleJSON `json:"articles"`
		NextCursor string        `json:"next_cursor,omitempty"`
	}{Articles: make([]articleJSON, 0, len(list))}
	for _, art := range list {
		out.Articles = append(out.Articles, a.articleOut(art))
	}
	if more {
		last := list[len(list)-1]
		c := cursor{mode: mode, at: last.PublishedAt, id: last.ID}
		if mode == 'u' {
			c.at = last.UpdatedAt
		}
		out.NextCursor = c.String()
	}
	web.JSON(w, http.StatusOK, readCache(w, u), out)
}

// lookupFilters reads the section (id or slug), tag (slug) and author (id
// or slug) filters into f; one that names nothing is a bad parameter.
// The error is the server's fault.
func (a *API) lookupFilters(r *http.Request, q url.Values, f *store.FeedFilter, bad *badParams) error {
	ctx := r.Context()
	filters := []struct {
		name string
		id   *int64
		find func(v string, n int64, isID bool) (int64, error)
	}{
		{"section", &f.SectionID, func(v string, n int64, isID bool) (int64, error) {
			if isID {
				return idOf(a.store.SectionByID(ctx, n))
			}
			return idOf(a.store.SectionBySlug(ctx, v))
		}},
		{"tag", &f.TagID, func(v string, _ int64, _ bool) (int64, error) { return idOf(a.store.TagBySlug(ctx, v)) }},
		{"author", &f.AuthorID, func(v string, n int64, isID bool) (int64, error) {
			if isID {
				return idOf(a.store.AuthorByID(ctx, n))
			}
			return idOf(a.store.AuthorBySlug(ctx, v))
		}},
	}
	for _, fl := range filters {
		v := q.Get(fl.name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		id, err := fl.find(v, n, err == nil && n > 0)
		switch {
		case errors.Is(err, news.ErrNotFound):
			bad.add(fl.name, "unknown")
		case err != nil:
			return fmt.Errorf("look up %s %q: %w", fl.name, v, err)
		}
		*fl.id = id
	}
	return nil
}

// identified is what has an id: a section, tag or author.
type identified interface {
	*news.Section | *news.Tag | *news.Author
}

// idOf is the id of what a lookup found.
func idOf[T identified](v T, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	switch x := any(v).(type) {
	case *news.Section:
		return x.ID, nil
	case *news.Tag:
		return x.ID, nil
	case *news.Author:
		return x.ID, nil
	}
	return 0, nil
}

// getArticle is GET /api/v1/articles/{id}: one article, with its version
// as ETag. What readers do not see is answered only to a token whose
// user may read it, and is otherwise not found, so that the ids of
// drafts do not leak.
func (a *API) getArticle(w http.ResponseWriter, r *http.Request) {
	u, ok := a.reader(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		problemOf(w, http.StatusNotFound, problemNotFound, "no article has this id")
		return
	}
	art, err := a.store.GetArticle(r.Context(), id)
	if err != nil {
		a.failProblem(w, r, err)
		return
	}
	if !art.IsPublic() && (u == nil || !u.Can(auth.PermWrite) || art.ViewableBy(u.Staff()) != nil) {
		problemOf(w, http.StatusNotFound, problemNotFound, "no article has this id")
		return
	}
	format, ok := articleFormat(r)
	if !ok {
		var bad badParams
		bad.add("format", "unknown_format")
		bad.answer(w)
		return
	}
	cache := readCache(w, u)
	w.Header().Add("Vary", "Accept")
	// One version, several representations: each its own tag.
	etag := `"` + strconv.FormatInt(art.Version, 10) + `"`
	if format != "" {
		etag = `"` + strconv.FormatInt(art.Version, 10) + "-ninjs" + format + `"`
	}
	w.Header().Set("ETag", etag)
	if matches(r.Header.Get("If-None-Match"), etag) {
		w.Header().Set("Cache-Control", cache)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if format != "" {
		a.writeNinjs(w, r, art, format, cache, etag)
		return
	}
	web.JSON(w, http.StatusOK, cache, a.articleOut(art))
}

// matches reports whether an If-None-Match header names etag, by the weak
// comparison RFC 9110 prescribes for it.
func matches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
