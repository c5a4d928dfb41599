package site

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/web"
)

const searchPerPage = 10

type searchView struct {
	Q             string
	Section       string // slug
	Sort          string // "" (relevance) or "date"
	From, To      string // YYYY-MM-DD as typed
	Total         int
	Hits          []searchHit
	OnlyStopwords bool
	Searched      bool
	Pager         pager
	FilterLabel   string // the tag or author filtered on, if any
	Suggestion    string // «هل تقصد»: the query spelled as articles spell it
	Pages         []search.PageHit
}

// searchHit is a result with where it leads.
type searchHit struct {
	search.Result
	URL string
}

// hitURL leads to the article, or to the live-blog entry that matched, on
// the page of the blog that shows it.
func hitURL(h search.Result) string {
	if h.Entry == nil {
		return news.ArticlePath(h.Article)
	}
	return entryLink(h.Article.ID, news.ArticlePath(h.Article), h.Entry)
}

// searchPage is /search: the reader's search, published articles only.
func (s *Site) searchPage(w http.ResponseWriter, r *http.Request) {
	if !s.searchLimit.Take(web.ClientIP(r)) {
		s.Error(w, r, http.StatusTooManyRequests)
		return
	}
	q := r.URL.Query()
	pageNo, ok := web.PageNumber(r)
	filters, err := search.ParseFilters(q, s.settings.Get().DateFormat().Location)
	if !ok || err != nil {
		s.Error(w, r, http.StatusBadRequest)
		return
	}
	v := &searchView{Q: q.Get("q"), Section: filters.Section, From: q.Get("from"), To: q.Get("to")}
	if filters.ByDate {
		v.Sort = "date"
	}
	opts := search.Options{Statuses: []news.Status{news.StatusPublished}, Offset: (pageNo - 1) * searchPerPage, Limit: searchPerPage}
	ctx := r.Context()
	if v.FilterLabel, err = s.search.Apply(ctx, filters, &opts); err != nil {
		s.fail(w, r, err)
		return
	}
	parsed := search.Parse(v.Q)
	v.OnlyStopwords = parsed.OnlyStopwords
	v.Searched = !parsed.Empty()
	if v.Searched {
		res, err := s.search.Search(ctx, parsed, opts)
		if err != nil {
			s.fail(w, r, fmt.Errorf("search %q: %w", v.Q, err))
			return
		}
		v.Total, v.Suggestion, v.Pages = res.Total, res.Suggestion, res.Pages
		for _, h := range res.Hits {
			v.Hits = append(v.Hits, searchHit{Result: h, URL: hitURL(h)})
		}
		pages := max(1, (res.Total+searchPerPage-1)/searchPerPage)
		if pageNo > pages {
			s.Error(w, r, http.StatusNotFound)
			return
		}
		v.Pager = pager{Page: pageNo, Pages: pages}
		link := func(n int) string {
			u := url.Values{}
			for k, vals := range q {
				if k != "page" {
					u[k] = vals
				}
			}
			if n > 1 {
				u.Set("page", strconv.Itoa(n))
			}
			return "/search?" + u.Encode()
		}
		if pageNo > 1 {
			v.Pager.Prev = link(pageNo - 1)
		}
		if pageNo < pages {
			v.Pager.Next = link(pageNo + 1)
		}
	}
	title := s.cat.T("search_title")
	if v.Q != "" {
		title = s.cat.T("search_title_q", parsed.Raw)
	}
	d, err := s.newData(ctx, title)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Robots = "noindex, follow"
	d.Search = v
	body, err := s.eng.Render("search", d)
	if err != nil {
		s.fail(w, r, fmt.Errorf("render search: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", htmlType)
	h.Set("Cache-Control", s.cc)
	w.Write(body)
}

// suggest is /search/suggest?q=: search as you type, the search field's
// list (JSON). Without JavaScript nobody asks; the field's form goes to
// /search as ever. What no field sends is a 400 saying why.
func (s *Site) suggest(w http.ResponseWriter, r *http.Request) {
	if !s.searchLimit.Take(web.ClientIP(r)) {
		web.JSONError(w, http.StatusTooManyRequests, "too many requests; slow down")
		return
	}
	ans, err := s.search.Answer(r.Context(), r.URL.Query().Get("q"), "")
	switch status := web.Status(err); {
	case err == nil:
		// status is what the field's live region says: how many, in the
		// outlet's language and digits.
		web.JSON(w, http.StatusOK, search.TypeaheadMaxAge, struct {
			search.TypeaheadAnswer
			Status string `json:"status"`
		}{ans, s.cat.N("suggest_count", len(ans.Suggestions), s.settings.Get().Digits)})
	case news.IsInvalid(err):
		// A query parameter, as /search's: 400, not a form's 422.
		web.JSONError(w, http.StatusBadRequest, err.Error())
	default:
		if web.ServerFault(r, status) {
			s.log.ErrorContext(r.Context(), "typeahead", "err", err)
		}
		web.JSONStatus(w, r, status)
	}
}
