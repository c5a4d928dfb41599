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

// findLimit is how many articles the editor's search offers; maxRunning
// bounds the live blogs running at once that live=1 considers.
const (
	findLimit  = 8
	maxRunning = 100
)

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
	var (
		articles []*news.Article
		running  map[int64]bool
	)
	if r.URL.Query().Get("live") == "1" {
		list, err := n.store.ListArticles(r.Context(), store.AdminFilter{Status: news.StatusPublished, Live: true, Order: store.ByPublished, Limit: maxRunning})
		if err != nil {
			n.fail(w, r, err)
			return
		}
		running = make(map[int64]bool, len(list))
		for i := range list {
			running[list[i].ID] = true
			articles = append(articles, &list[i])
		}
	}
	if parsed := search.Parse(q); !parsed.Empty() {
		o := search.Options{Statuses: []news.Status{news.StatusPublished}, Limit: findLimit}
		if running != nil {
			// Live blogs are few among the matches: look further down.
			o.Limit = maxRunning
		}
		res, err := n.search.Search(r.Context(), parsed, o)
		if err != nil {
			n.fail(w, r, err)
			return
		}
		articles = articles[:0]
		for _, h := range res.Hits {
			if running == nil || running[h.Article.ID] {
				articles = append(articles, h.Article)
			}
		}
	}
	found := []foundArticle{}
	for _, a := range articles[:min(len(articles), findLimit)] {
		found = append(found, foundArticle{ID: a.ID, Headline: a.Headline, URL: n.articleURL(a)})
	}
	web.JSON(w, http.StatusOK, "no-store", map[string]any{"articles": found})
}
