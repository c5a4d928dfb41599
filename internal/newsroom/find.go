package newsroom

import (
	"net/http"
	"unicode/utf8"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/web"
)

// foundArticle is one answer of findArticles.
type foundArticle struct {
	ID       int64  `json:"id"`
	Headline string `json:"headline"`
	URL      string `json:"url"`
}

// findLimit is how many articles the editor's search offers.
const findLimit = 8

// findArticles is GET /admin/articles/find?q=: published articles matching
// q, as JSON, for the editor's link box and related-article block, which
// link to our own stories by their address on the site. With live=1 it
// offers only live blogs still running (the block menu's live-blog link),
// the newest first when q is empty: the one a writer wants is usually
// today's.
func (n *Newsroom) findArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if utf8.RuneCountInString(q) > search.MaxQueryRunes {
		web.JSONError(w, http.StatusBadRequest, n.cat.T("err_too_long"))
		return
	}
	live := r.URL.Query().Get("live") == "1"
	var articles []*news.Article
	if parsed := search.Parse(q); !parsed.Empty() {
		res, err := n.search.Search(r.Context(), parsed, search.Options{Statuses: []news.Status{news.StatusPublished}, Live: live, Limit: findLimit})
		if err != nil {
			n.fail(w, r, err)
			return
		}
		for _, h := range res.Hits {
			articles = append(articles, h.Article)
		}
	} else if live {
		list, err := n.store.ListArticles(r.Context(), store.AdminFilter{Status: news.StatusPublished, Live: true, Order: store.ByPublished, Limit: findLimit})
		if err != nil {
			n.fail(w, r, err)
			return
		}
		for i := range list {
			articles = append(articles, &list[i])
		}
	}
	found := []foundArticle{}
	for _, a := range articles {
		found = append(found, foundArticle{ID: a.ID, Headline: a.Headline, URL: n.articleURL(a)})
	}
	web.JSON(w, http.StatusOK, "no-store", map[string]any{"articles": found})
}
