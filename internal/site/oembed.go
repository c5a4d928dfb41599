package site

import (
	"net/http"
	"net/url"
	"strings"

	"khabar/internal/news"
	"khabar/internal/web"
)

// oembed is /oembed?url=…: oEmbed 1.0 for our own articles, as a "link"
// (a card with title, author and thumbnail; no iframe to embed).
func (s *Site) oembed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" {
		web.JSONError(w, http.StatusNotImplemented, "only format=json is supported")
		return
	}
	u, err := url.Parse(q.Get("url"))
	if err != nil || q.Get("url") == "" {
		web.JSONError(w, http.StatusBadRequest, "url: required, an article URL of this site")
		return
	}
	base, _ := url.Parse(s.base)
	rest, ok := strings.CutPrefix(u.Path, "/news/")
	if !ok || base == nil || !strings.EqualFold(u.Host, base.Host) {
		web.JSONError(w, http.StatusNotFound, "url: not an article of this site")
		return
	}
	idPart, _, _ := strings.Cut(rest, "/")
	id, ok := web.PositiveID(idPart)
	if !ok {
		web.JSONError(w, http.StatusNotFound, "url: not an article of this site")
		return
	}
	a, err := s.store.GetArticle(r.Context(), id)
	if err == nil && !a.IsPublic() {
		err = news.ErrNotFound
	}
	if status := web.Status(err); err != nil && status == http.StatusNotFound {
		web.JSONError(w, status, "no such article")
		return
	} else if err != nil {
		if web.ServerFault(r, status) {
			s.log.ErrorContext(r.Context(), "oembed", "err", err)
		}
		web.JSONError(w, status, "lookup failed")
		return
	}
	st := s.settings.Get()
	out := map[string]any{"version": "1.0", "type": "link", "title": a.Headline, "provider_name": st.SiteName,
		"provider_url": s.base + "/", "cache_age": 3600}
	if len(a.Authors) > 0 {
		out["author_name"] = a.Authors[0].Name
		out["author_url"] = s.base + news.ListPath(news.ListAuthor, a.Authors[0].Slug)
	}
	if m := a.Featured; m != nil {
		out["thumbnail_url"] = s.base + "/media/" + m.Path
		out["thumbnail_width"], out["thumbnail_height"] = m.Width, m.Height
	}
	web.JSON(w, http.StatusOK, s.cc, out)
}
