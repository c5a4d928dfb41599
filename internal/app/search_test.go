package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/news"
)

func TestSearchFollowsPublishing(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		ctx := context.Background()
		old := apptest.FirstPublished(t, n.Store)
		a := &news.Article{Headline: "اكتشاف أثري نادر في وادي الزرقاء", SectionID: old.SectionID, Status: news.StatusDraft,
			Body: []news.Block{{Type: news.BlockParagraph, Text: "عثر فريق من علماء الآثار على جرار فخارية."}}}
		if err := n.Store.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		// The articles holding both words: others holding one of them
		// (partial matches) are not this article.
		find := func() int {
			r := n.Get(t, "/api/v1/search?q="+url.QueryEscape("الاثريه الزرقاء"))
			var res struct{ Full int }
			if err := json.Unmarshal([]byte(r.Body), &res); err != nil || r.Status != 200 {
				t.Fatalf("api: %d %s", r.Status, r.Body)
			}
			return res.Full
		}
		if find() != 0 {
			t.Error("a draft is visible to public search")
		}
		if _, err := n.Store.SetStatus(ctx, a.ID, a.Version, news.StatusPublished); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		if find() != 1 {
			t.Error("a published article is not found")
		}
		cur, _ := n.Store.GetArticle(ctx, a.ID)
		if _, err := n.Store.SetStatus(ctx, a.ID, cur.Version, news.StatusUnpublished); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		if find() != 0 {
			t.Error("an unpublished article is still found")
		}
		// The newsroom still finds it, by state.
		apptest.Login(t, n, "editor")
		if r := n.Get(t, "/admin/?q="+url.QueryEscape("وادي الزرقاء")+"&status=unpublished"); !strings.Contains(r.Body, a.Headline) {
			t.Error("newsroom search does not find the unpublished article")
		}
		if r := n.Get(t, "/admin/?q="+url.QueryEscape("وادي الزرقاء")+"&status=published"); strings.Contains(r.Body, a.Headline) {
			t.Error("newsroom status filter ignored")
		}
		// The author filter, with and without a query.
		au := old.Authors[0]
		for _, q := range []string{"", "&q=" + url.QueryEscape(old.Headline)} {
			r := n.Get(t, "/admin/?author="+strconv.FormatInt(au.ID, 10)+q)
			if !strings.Contains(r.Body, old.Headline) || strings.Contains(r.Body, a.Headline) {
				t.Errorf("author filter (query %q): wrong articles", q)
			}
		}
	})
}

// TestSearchBudgetIsShared: the search page and the API draw on one
// budget per address, so flooding one does not open the other. (Each
// one's input and results: internal/site's TestSearchPage and
// internal/api's TestSearchInputAndResults.)
func TestSearchBudgetIsShared(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	// The page and the API, alternately, from one address: one budget of
	// 30 searches and two more a second serves them both. Separate budgets
	// would serve 60 and more; how many seconds the flood took bounds what
	// refills may add, however loaded the machine.
	start, served := time.Now(), 0
	for i := 0; i < 120; i++ {
		path := "/search?q=x"
		if i%2 == 1 {
			path = "/api/v1/search?q=x"
		}
		switch r := n.Get(t, path); r.Status {
		case http.StatusOK:
			served++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("%s: %d", path, r.Status)
		}
	}
	refills := int(time.Since(start)/(500*time.Millisecond)) + 1
	if served == 120 {
		t.Fatal("search is not rate limited")
	}
	if served > 30+refills {
		t.Errorf("served %d searches from one address, more than one budget allows (30 + %d refilled)", served, refills)
	}
}
