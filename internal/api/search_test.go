package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/throttle"
)

// searchAnswer is the API's answer, as a client reads it.
type searchAnswer struct {
	Total   int `json:"total"`
	Full    int `json:"full"`
	Results []struct {
		ID          int64   `json:"id"`
		URL         string  `json:"url"`
		Headline    string  `json:"headline"`
		Snippet     string  `json:"snippet"`
		PublishedAt string  `json:"published_at"`
		Score       float64 `json:"score"`
		Partial     bool    `json:"partial"`
	} `json:"results"`
	Pages []struct {
		URL, Title, Snippet string
	} `json:"pages"`
}

func (f *fixture) searchFor(t *testing.T, query string) searchAnswer {
	t.Helper()
	r := f.client(t).Get("/api/v1/search?" + query)
	var res searchAnswer
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &res) != nil {
		t.Fatalf("search %s: %d %s", query, r.Status, r.Body)
	}
	return res
}

func TestSearchInputAndResults(t *testing.T) {
	storetest.Each(t, testSearchInputAndResults)
}

// testSearchInputAndResults: bad parameters are refused in JSON; results
// come best first, with absolute links, dates and marked snippets.
func testSearchInputAndResults(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	f.article(t, news.StatusPublished, "البنك المركزي يرفع الفائدة", "قرر البنك المركزي رفع سعر الفائدة، وقال البنك إن التضخم تراجع.")
	f.article(t, news.StatusPublished, "أسواق المال", "تراجعت الأسهم بعد قرار البنك &lt;script&gt;alert(1)&lt;/script&gt;.")
	f.article(t, news.StatusPublished, "طقس", "أمطار غزيرة في الشمال.")
	f.reindex(t)
	api := []struct {
		q      string
		status int
	}{
		{"q=" + url.QueryEscape("البنك"), 200},
		{"q=" + url.QueryEscape("البنك") + "&limit=1&offset=1", 200},
		{"", 400},
		{"q=x&limit=0", 400},
		{"q=x&limit=51", 400},
		{"q=x&limit=abc", 400},
		{"q=x&offset=-1", 400},
		{"q=x&offset=10001", 400},
	}
	for _, c := range api {
		r := f.client(t).Get("/api/v1/search?" + c.q)
		if r.Status != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("api %s: %d %s", c.q, r.Status, r.Body)
		}
	}
	res := f.searchFor(t, "q="+url.QueryEscape("البنك")+"&limit=2")
	if res.Total < 2 || len(res.Results) != 2 || res.Results[0].Score < res.Results[1].Score ||
		!strings.HasPrefix(res.Results[0].URL, "http://khabar.test/news/") || res.Results[0].PublishedAt == "" {
		t.Errorf("api result: %+v", res)
	}
	if got := res.Results[0]; got.Headline != "البنك المركزي يرفع الفائدة" || got.PublishedAt != publishedAt.Format(time.RFC3339) {
		t.Errorf("best result: %+v", got)
	}
	// The second article's text holds "<script>", as words: escaped.
	for _, r := range res.Results {
		if !strings.Contains(r.Snippet, "<mark>البنك</mark>") || strings.Contains(r.Snippet, "<script") {
			t.Errorf("snippet %q: no <mark>, or text not escaped", r.Snippet)
		}
	}
	if !strings.Contains(res.Results[1].Snippet, "&lt;script&gt;") {
		t.Errorf("snippet %q lost the text it escapes", res.Results[1].Snippet)
	}
	if page := f.searchFor(t, "q="+url.QueryEscape("البنك")+"&limit=1&offset=1"); page.Total != res.Total || len(page.Results) != 1 || page.Results[0].ID != res.Results[1].ID {
		t.Errorf("second page: %+v", page)
	}
	// No article holds both words: those holding one follow, said so.
	some := f.searchFor(t, "q="+url.QueryEscape("البنك أمطار"))
	if some.Full != 0 || some.Total != 3 || len(some.Results) != 3 {
		t.Errorf("a query no article matches whole: %+v", some)
	}
	for _, r := range some.Results {
		if !r.Partial {
			t.Errorf("result %q is not marked partial", r.Headline)
		}
	}
	if res.Full != res.Total || res.Results[0].Partial {
		t.Errorf("a one-word query's results are partial: %+v", res)
	}
	if none := f.searchFor(t, "q="+url.QueryEscape("كلمةلاوجودلها")); none.Total != 0 || none.Results == nil {
		t.Errorf("no match: %+v (results must be an empty list, not null)", none)
	}
	if r := f.client(t).Get("/api/v1/nothing"); r.Status != 404 || !strings.Contains(r.Body, "error") {
		t.Errorf("unknown endpoint: %d %s", r.Status, r.Body)
	}
}

func TestSearchFindsOnlyPublished(t *testing.T) {
	storetest.Each(t, testSearchFindsOnlyPublished)
}

// testSearchFindsOnlyPublished: the index holds every article; readers
// find only those published.
func testSearchFindsOnlyPublished(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	draft := f.article(t, news.StatusDraft, "اكتشاف أثري نادر في وادي الزرقاء", "عثر فريق من علماء الآثار على جرار فخارية.")
	pub := f.article(t, news.StatusPublished, "اكتشاف أثري ثان في الزرقاء", "جرار فخارية أخرى.")
	gone := f.article(t, news.StatusPublished, "اكتشاف أثري سحب من الزرقاء", "جرار فخارية مسحوبة.")
	if _, err := s.SetStatus(t.Context(), gone.ID, gone.Version, news.StatusUnpublished); err != nil {
		t.Fatal(err)
	}
	f.reindex(t)
	res := f.searchFor(t, "q="+url.QueryEscape("الاثريه الزرقاء"))
	if res.Total != 1 || len(res.Results) != 1 || res.Results[0].ID != pub.ID {
		t.Errorf("found %+v, want only article %d (not the draft %d nor the unpublished %d)", res, pub.ID, draft.ID, gone.ID)
	}
	// The outlet's own pages are public too, and come with their links.
	page := &news.Page{Slug: "digs", Title: "عن تغطيتنا الأثرية", Body: []news.Block{{Type: news.BlockParagraph, Text: "نرافق بعثات الزرقاء."}}}
	if err := s.AddPage(t.Context(), page, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	res = f.searchFor(t, "q="+url.QueryEscape("الاثريه الزرقاء"))
	if len(res.Pages) != 1 || !strings.HasSuffix(res.Pages[0].URL, "/page/digs") || res.Pages[0].Title != page.Title || !strings.Contains(res.Pages[0].Snippet, "<mark>الزرقاء</mark>") {
		t.Errorf("pages %+v, want the page digs with a marked snippet", res.Pages)
	}
	if res.Total != 1 {
		t.Errorf("total %d: pages are not counted with the articles", res.Total)
	}
}

func TestSearchRateLimited(t *testing.T) {
	storetest.Each(t, testSearchRateLimited)
}

// testSearchRateLimited: flooding search is refused, not served, per
// address.
func testSearchRateLimited(t *testing.T, s *store.Store) {
	f := newFixture(t, s, func(o *Options) { o.SearchLimit = throttle.NewLimiter(5, time.Hour) })
	var last storetest.Response
	for i := 0; i < 20 && last.Status != http.StatusTooManyRequests; i++ {
		last = f.client(t).Get("/api/v1/search?q=x")
	}
	if last.Status != http.StatusTooManyRequests || !strings.HasPrefix(last.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("search is not rate limited: %d %s", last.Status, last.Body)
	}
	// Another address still has its budget.
	req := httptest.NewRequest("GET", "/api/v1/search?q=x", nil)
	req.RemoteAddr = "198.51.100.7:4321"
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Errorf("another address: %d %s", w.Code, w.Body)
	}
	// An API token lifts the limit (a partner, an evaluation's thousand
	// questions); a token that is not valid is refused, not ignored.
	_, hdr := f.bearer(t, auth.RoleWriter)
	for i := 0; i < 50; i++ {
		if r := f.client(t).Do("GET", "/api/v1/search?q=x", nil, hdr); r.Status != 200 {
			t.Fatalf("query %d with a token: %d %s", i, r.Status, r.Body)
		}
	}
	bad := http.Header{"Authorization": {"Bearer not-a-token"}}
	if r := f.client(t).Do("GET", "/api/v1/search?q=x", nil, bad); r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("a bad token: %d %s", r.Status, r.Body)
	}
}

func TestSearchFilters(t *testing.T) { storetest.Each(t, testSearchFilters) }

// testSearchFilters: the API narrows a search by section, author, tag and
// days and orders it by date exactly as /search does (one parser,
// search.ParseFilters); bad filters get a precise answer, and a tag only
// drafts carry is as unknown as one nobody used.
func testSearchFilters(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := t.Context()
	mk := func(st news.Status, headline string, sec news.Section, au news.Author, tag string, at time.Time) *news.Article {
		a := f.Fixture.Article(headline)
		a.Body = []news.Block{{Type: news.BlockParagraph, Text: headline + " والبنك المركزي"}}
		a.Status, a.SectionID, a.Authors, a.Tags = st, sec.ID, []news.Author{au}, []news.Tag{{Name: tag}}
		if st == news.StatusPublished {
			a.PublishedAt = at
		}
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	recent := mk(news.StatusPublished, "البنك يرفع الفائدة", f.Sections[0], f.Authors[0], "فائدة", publishedAt)
	older := mk(news.StatusPublished, "البنك يطرح سندات", f.Sections[1], f.Authors[1], "سندات", publishedAt.AddDate(0, 0, -10))
	mk(news.StatusDraft, "البنك يدرس خطة سرية", f.Sections[0], f.Authors[0], "خطة سرية", time.Time{})
	f.reindex(t)
	beirut, err := time.LoadLocation("Asia/Beirut") // the outlet's zone, in which days are read
	if err != nil {
		t.Fatal(err)
	}
	day := func(t time.Time) string { return t.In(beirut).Format("2006-01-02") }
	q := "q=" + url.QueryEscape("البنك")
	for _, c := range []struct {
		filter string
		want   []int64
	}{
		{"&section=" + f.Sections[1].Slug, []int64{older.ID}},
		{"&author=" + f.Authors[1].Slug, []int64{older.ID}},
		{"&tag=" + url.QueryEscape(news.Slugify("فائدة")), []int64{recent.ID}},
		{"&from=" + day(publishedAt), []int64{recent.ID}},
		{"&to=" + day(older.PublishedAt), []int64{older.ID}},
		{"&sort=date", []int64{recent.ID, older.ID}},
	} {
		res := f.searchFor(t, q+c.filter)
		var got []int64
		for _, r := range res.Results {
			got = append(got, r.ID)
		}
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("%s: %v, want %v", c.filter, got, c.want)
		}
	}
	for _, c := range []struct {
		filter string
		status int
		want   string
	}{
		{"&section=nowhere", 404, "not_found"},
		{"&tag=" + url.QueryEscape(news.Slugify("خطة سرية")), 404, "not_found"},
		{"&from=yesterday", 400, `"from":"bad_date"`},
		{"&to=2026-13-40", 400, `"to":"bad_date"`},
		{"&sort=oldest", 400, `"sort":"unknown"`},
	} {
		if r := f.client(t).Get("/api/v1/search?" + q + c.filter); r.Status != c.status || !strings.Contains(r.Body, c.want) {
			t.Errorf("%s: %d %s, want %d with %s", c.filter, r.Status, r.Body, c.status, c.want)
		}
	}
}

func TestSuggest(t *testing.T) { storetest.Each(t, testSuggest) }

// testSuggest: the API's search as you type is the site's, with absolute
// links, and names a bad q.
func testSuggest(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	f.article(t, news.StatusPublished, "البنك المركزي يرفع الفائدة", "نص.")
	f.article(t, news.StatusDraft, "البنك الأهلي يندمج", "نص.")
	f.reindex(t)
	r := f.client(t).Get("/api/v1/search/suggest?q=" + url.QueryEscape("بنك"))
	var ans struct {
		Suggestions []struct{ Kind, Label, URL string }
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &ans) != nil || len(ans.Suggestions) != 1 || r.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("suggest: %d %s", r.Status, r.Body)
	}
	if got := ans.Suggestions[0]; got.Kind != "article" || got.Label != "البنك المركزي يرفع الفائدة" || !strings.HasPrefix(got.URL, "http://khabar.test/news/") {
		t.Errorf("suggestion %+v", got)
	}
	r = f.client(t).Get("/api/v1/search/suggest?q=%ff")
	if out := decodeJSON(t, "suggest", r); r.Status != 400 || out["error"] != "invalid" || !strings.Contains(r.Body, `"q":"not UTF-8"`) {
		t.Errorf("invalid UTF-8: %d %s", r.Status, r.Body)
	}
}
