package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"khabar/internal/news"
)

func TestSearchFollowsPublishing(t *testing.T) {
	backends(t, func(t *testing.T, n *node) {
		ctx := context.Background()
		old := firstPublished(t, n.Store)
		a := &news.Article{Headline: "اكتشاف أثري نادر في وادي الزرقاء", SectionID: old.SectionID, Status: news.StatusDraft,
			Body: []news.Block{{Type: news.BlockParagraph, Text: "عثر فريق من علماء الآثار على جرار فخارية."}}}
		if err := n.Store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		n.waitEvents(t)
		find := func() int {
			r := n.get(t, "/api/v1/search?q="+url.QueryEscape("الاثريه الزرقاء"))
			var res struct{ Total int }
			if err := json.Unmarshal([]byte(r.body), &res); err != nil || r.status != 200 {
				t.Fatalf("api: %d %s", r.status, r.body)
			}
			return res.Total
		}
		if find() != 0 {
			t.Error("a draft is visible to public search")
		}
		if _, err := n.Store.SetStatus(ctx, a.ID, a.Version, news.StatusPublished); err != nil {
			t.Fatal(err)
		}
		n.waitEvents(t)
		if find() != 1 {
			t.Error("a published article is not found")
		}
		cur, _ := n.Store.GetArticle(ctx, a.ID)
		if _, err := n.Store.SetStatus(ctx, a.ID, cur.Version, news.StatusUnpublished); err != nil {
			t.Fatal(err)
		}
		n.waitEvents(t)
		if find() != 0 {
			t.Error("an unpublished article is still found")
		}
		// The newsroom still finds it, by state.
		login(t, n, "editor")
		if r := n.get(t, "/admin/?q="+url.QueryEscape("وادي الزرقاء")+"&status=unpublished"); !strings.Contains(r.body, a.Headline) {
			t.Error("newsroom search does not find the unpublished article")
		}
		if r := n.get(t, "/admin/?q="+url.QueryEscape("وادي الزرقاء")+"&status=published"); strings.Contains(r.body, a.Headline) {
			t.Error("newsroom status filter ignored")
		}
		// The author filter, with and without a query.
		au := old.Authors[0]
		for _, q := range []string{"", "&q=" + url.QueryEscape(old.Headline)} {
			r := n.get(t, "/admin/?author="+strconv.FormatInt(au.ID, 10)+q)
			if !strings.Contains(r.body, old.Headline) || strings.Contains(r.body, a.Headline) {
				t.Errorf("author filter (query %q): wrong articles", q)
			}
		}
	})
}

// TestSearchAPIInput: the API's answers to odd input, and one search
// budget for the API and the search page. (The page's own answers are
// internal/site's TestSearchPage.)
func TestSearchAPIInput(t *testing.T) {
	n := startNode(t, "")
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
		r := n.get(t, "/api/v1/search?"+c.q)
		if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("api %s: %d %s", c.q, r.status, r.body)
		}
	}
	r := n.get(t, "/api/v1/search?q="+url.QueryEscape("البنك")+"&limit=2")
	var res struct {
		Total   int `json:"total"`
		Results []struct {
			ID          int64   `json:"id"`
			URL         string  `json:"url"`
			Headline    string  `json:"headline"`
			Snippet     string  `json:"snippet"`
			PublishedAt string  `json:"published_at"`
			Score       float64 `json:"score"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total < 2 || len(res.Results) != 2 || res.Results[0].Score < res.Results[1].Score ||
		!strings.HasPrefix(res.Results[0].URL, "http://khabar.test/news/") || res.Results[0].PublishedAt == "" {
		t.Errorf("api result: %+v", res)
	}
	if r := n.get(t, "/api/v1/nothing"); r.status != 404 || !strings.Contains(r.body, "error") {
		t.Errorf("unknown endpoint: %d %s", r.status, r.body)
	}
	// Flooding search is refused, not served.
	limited := false
	for i := 0; i < 80 && !limited; i++ {
		limited = n.get(t, "/search?q=x").status == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("search is not rate limited")
	}
	// The API draws on the same budget: flooding one does not open the other.
	if r := n.get(t, "/api/v1/search?q=x"); r.status != http.StatusTooManyRequests {
		t.Errorf("API after the search page's budget ran out: %d", r.status)
	}
}
