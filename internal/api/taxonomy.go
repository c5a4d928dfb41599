package api

import (
	"fmt"
	"net/http"

	"khabar/internal/news"
	"khabar/internal/web"
)

// What the ids in an article mean: sections, tags and authors, with the
// address of each one's page. They are public, whoever asks.

type sectionJSON struct {
	ID       int64  `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	URL      string `json:"url"`
	ParentID *int64 `json:"parent_id"` // null at the top level
}

type namedJSON struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// listSections is GET /api/v1/sections, in the navigation's order.
func (a *API) listSections(w http.ResponseWriter, r *http.Request) {
	secs, err := a.store.ListSections(r.Context())
	if err != nil {
		a.failProblem(w, r, fmt.Errorf("list sections: %w", err))
		return
	}
	out := make([]sectionJSON, 0, len(secs))
	for _, s := range secs {
		j := sectionJSON{ID: s.ID, Slug: s.Slug, Name: s.Name, URL: a.base + news.ListPath(news.ListSection, s.Slug)}
		if s.ParentID > 0 {
			j.ParentID = &s.ParentID
		}
		out = append(out, j)
	}
	web.JSON(w, http.StatusOK, publicMaxAge, map[string]any{"sections": out})
}

// listAuthors is GET /api/v1/authors, by name.
func (a *API) listAuthors(w http.ResponseWriter, r *http.Request) {
	authors, err := a.store.ListAuthors(r.Context())
	if err != nil {
		a.failProblem(w, r, fmt.Errorf("list authors: %w", err))
		return
	}
	out := make([]namedJSON, 0, len(authors))
	for _, au := range authors {
		out = append(out, namedJSON{ID: au.ID, Slug: au.Slug, Name: au.Name, URL: a.base + news.ListPath(news.ListAuthor, au.Slug)})
	}
	web.JSON(w, http.StatusOK, publicMaxAge, map[string]any{"authors": out})
}

// listTags is GET /api/v1/tags?limit=&cursor=: every tag in id order, a
// page at a time, since there may be tens of thousands.
func (a *API) listTags(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var bad badParams
	limit, lerr := intParam(q.Get("limit"), defaultPage, 1, maxPage)
	if lerr != "" {
		bad.add("limit", limitReason(lerr))
	}
	var after int64
	if s := q.Get("cursor"); s != "" {
		c, err := parseCursor(s, 't')
		if err != nil {
			bad.add("cursor", "bad_cursor")
		}
		after = c.id
	}
	if bad.answer(w) {
		return
	}
	tags, err := a.store.ListTags(r.Context(), after, limit+1)
	tags, more := onePage(tags, limit)
	if err != nil {
		a.failProblem(w, r, fmt.Errorf("list tags: %w", err))
		return
	}
	out := struct {
		Tags       []namedJSON `json:"tags"`
		NextCursor string      `json:"next_cursor,omitempty"`
	}{Tags: make([]namedJSON, 0, len(tags))}
	for _, t := range tags {
		out.Tags = append(out.Tags, namedJSON{ID: t.ID, Slug: t.Slug, Name: t.Name, URL: a.base + news.ListPath(news.ListTag, t.Slug)})
	}
	if more {
		out.NextCursor = cursor{mode: 't', id: tags[len(tags)-1].ID}.String()
	}
	web.JSON(w, http.StatusOK, publicMaxAge, out)
}
