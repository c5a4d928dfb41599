package api

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// mostReadJSON is an article of «الأكثر قراءة».
type mostReadJSON struct {
	ID          int64     `json:"id"`
	Headline    string    `json:"headline"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
}

// mostRead is GET /api/v1/most-read?section=: «الأكثر قراءة» as the
// site shows it, the site's or a section's, most read first (computed
// every minute from the counted page views).
func (a *API) mostRead(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var (
		bad badParams
		f   store.FeedFilter
	)
	if err := a.lookupFilters(r, url.Values{"section": q["section"]}, &f, &bad); err != nil {
		a.failProblem(w, r, err)
		return
	}
	if bad.answer(w) {
		return
	}
	list, err := a.store.MostRead(r.Context(), f.SectionID)
	if err != nil {
		a.failProblem(w, r, fmt.Errorf("most read: %w", err))
		return
	}
	out := make([]mostReadJSON, 0, len(list))
	for _, art := range list {
		out = append(out, mostReadJSON{ID: art.ID, Headline: art.Headline, URL: a.base + news.ArticlePath(&art), PublishedAt: art.PublishedAt})
	}
	web.JSON(w, http.StatusOK, publicMaxAge, map[string]any{"mostRead": out})
}
