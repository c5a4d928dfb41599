package site

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestSearchPage(t *testing.T) { storetest.Each(t, testSearchPage) }

func testSearchPage(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	f.index(t)
	page := []struct {
		q      string
		status int
		want   string
	}{
		{"q=" + url.QueryEscape("البنك المركزي"), 200, "<mark>"},
		{"q=" + url.QueryEscape("البنك المركزي") + "&sort=date&section=economy", 200, "<mark>"},
		{"", 200, "علامتي تنصيص"},
		{"q=" + url.QueryEscape("في من على"), 200, "شائعة جدًا"},
		{"q=" + url.QueryEscape("كلمةلاوجودلها"), 200, "لم نجد"},
		{"q=" + url.QueryEscape("مسول"), 200, `هل تقصد: <a href="/search?q=%d9%85%d8%b3%d8%a4%d9%88%d9%84%d8%a9" dir="auto">مسؤولة</a>`},
		{"q=" + url.QueryEscape("البنك المركزي يطلق كلمةلاوجودلها"), 200, `<h2 class="partial-head" id="partial">نتائج تطابق بعض الكلمات</h2>`},
		{"q=" + url.QueryEscape(`"غير متوازن`), 200, ""},
		{"q=" + url.QueryEscape(`* " : ( ) NEAR AND - OR NOT`), 200, ""},
		{"q=" + url.QueryEscape("'; DROP TABLE articles; --"), 200, ""},
		{"q=" + url.QueryEscape("\u202eالبنك\u202c \u200f"), 200, ""},
		{"q=" + url.QueryEscape("ًٌٍَُِّْ"), 200, ""},
		{"q=" + url.QueryEscape(strings.Repeat("بنك ", 250)), 200, ""},
		{"q=x&from=yesterday", 400, ""},
		{"q=x&to=2026-13-40", 400, ""},
		{"q=x&page=0", 400, ""},
		{"q=x&section=nowhere", 404, ""},
		{"q=" + url.QueryEscape("البنك") + "&page=999", 404, ""},
	}
	for _, c := range page {
		r := f.get("/search?" + c.q)
		if r.Status != c.status || !strings.Contains(r.Body, c.want) {
			t.Errorf("/search?%.60s: %d, want %d with %q", c.q, r.Status, c.status, c.want)
		}
		if c.status == 200 && !strings.Contains(r.Body, `content="noindex, follow"`) {
			t.Errorf("/search?%.60s: not noindex", c.q)
		}
	}
	// The outlet's own pages answer too, above the articles, and a query
	// only they hold is not "nothing found".
	ads := &news.Page{Slug: "ads", Title: "أعلن معنا", Body: []news.Block{{Type: news.BlockParagraph, Text: "أسعار الإعلان الشهرية."}}}
	if err := st.AddPage(context.Background(), ads, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	r := f.get("/search?q=" + url.QueryEscape("أعلن"))
	if want := `<a href="/page/ads"><bdi><mark>أعلن</mark> معنا</bdi></a>`; !strings.Contains(r.Body, want) || strings.Contains(r.Body, "لم نجد") {
		t.Errorf("a page's words: want %s and no «لم نجد»", want)
	}
	// A live blog's entry leads to itself, on the live page.
	live, err := st.ListPublished(context.Background(), store.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range live {
		if !a.Live {
			continue
		}
		e := &news.LiveEntry{ArticleID: a.ID, Body: []news.Block{{Type: news.BlockParagraph, Text: "وفد الأرخبيل الجنوبي يصل متأخراً."}}}
		if err := st.CreateLiveEntry(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		f.index(t)
		want := `<a href="` + news.ArticlePath(&a) + "#e" + itoa(e.ID) + `">`
		if r := f.get("/search?q=" + url.QueryEscape("الأرخبيل")); !strings.Contains(r.Body, want) {
			t.Errorf("the entry's result does not lead to it (%s)", want)
		}
	}
	// Flooding search is refused, not served.
	limited := false
	for i := 0; i < 80 && !limited; i++ {
		limited = f.get("/search?q=x").Status == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("search is not rate limited")
	}
}

func TestSuggest(t *testing.T) { storetest.Each(t, testSuggest) }

// testSuggest: /search/suggest answers the search field in JSON, briefly
// cacheable; fewer than two letters is no suggestion, not an error; what
// no field sends is a 400 saying why, never a 500.
func testSuggest(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	f.index(t)
	type answer struct {
		Q           string `json:"q"`
		Suggestions []struct{ Kind, Label, URL string }
		Status      string `json:"status"` // for the field's live region
	}
	for _, c := range []struct {
		q      string
		status int
		want   string // a label among the suggestions
	}{
		{url.QueryEscape("البنك المر"), 200, "البنك المركزي يخفض سعر الفائدة ربع نقطة"},
		{url.QueryEscape("بنك"), 200, "البنك المركزي يخفض سعر الفائدة ربع نقطة"},
		{url.QueryEscape("اقتص"), 200, "اقتصاد"},
		{url.QueryEscape("ب"), 200, ""},
		{"", 200, ""},
		{"%ff%fe", 400, "not UTF-8"},
		{"%00", 400, "control characters"},
		{url.QueryEscape(strings.Repeat("ب", 201)), 400, "longer than 200"},
	} {
		r := f.get("/search/suggest?q=" + c.q)
		if r.Status != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("suggest %.40s: %d %s, want %d in JSON", c.q, r.Status, r.Body, c.status)
			continue
		}
		if c.status != 200 {
			if !strings.Contains(r.Body, c.want) || r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("suggest %.40s: %s (%s), want %q, uncached", c.q, r.Body, r.Header.Get("Cache-Control"), c.want)
			}
			continue
		}
		if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("suggest %.40s: Cache-Control %q", c.q, cc)
		}
		var a answer
		if err := json.Unmarshal([]byte(r.Body), &a); err != nil || a.Suggestions == nil || a.Status == "" {
			t.Errorf("suggest %.40s: %s (%v); want a list, empty if need be, and a status", c.q, r.Body, err)
			continue
		}
		found := c.want == "" && len(a.Suggestions) == 0
		for _, s := range a.Suggestions {
			found = found || strings.HasPrefix(s.Label, c.want) && c.want != ""
			if !strings.HasPrefix(s.URL, "/") {
				t.Errorf("suggest %.40s: %q leads to %q", c.q, s.Label, s.URL)
			}
		}
		if !found {
			t.Errorf("suggest %.40s: %s, want %q", c.q, r.Body, c.want)
		}
	}
}
