package newsroom

import (
	"net/http"
	"unicode/utf8"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/web"
)

// foundArticle is one answer of findArticles.
type foundArticle struct {
	ID       int64  `json:"id"`
	Headline string `json:"headline"`
	URL      string `json:"url"`
}

// findArticles is GET /admin/articles/find?q=: published articles matching
// q, as JSON, for the editor's link box and related-article block, which
// link to our own stories by their address on the site.
func (n *Newsroom) findArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if utf8.RuneCountInString(q) > search.MaxQueryRunes {
		web.JSONError(w, http.StatusBadRequest, n.cat.T("err_too_long"))
		return
	}
	found := []foundArticle{}
	if parsed := search.Parse(q); !parsed.Empty() {
		res, err := n.search.Search(r.Context(), parsed, search.Options{Statuses: []news.Status{news.StatusPublished}, Limit: 8})
		if err != nil {
			n.fail(w, r, err)
			return
		}
		for _, h := range res.Hits {
			found = append(found, foundArticle{ID: h.Article.ID, Headline: h.Article.Headline, URL: n.articleURL(h.Article)})
		}
	}
	web.JSON(w, http.StatusOK, "no-store", map[string]any{"articles": found})
}
