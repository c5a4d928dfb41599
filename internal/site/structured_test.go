package site

import (
	"context"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

var ldRe = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

func ldOf(t *testing.T, body string) []map[string]any {
	t.Helper()
	m := ldRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no JSON-LD on the page")
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(m[1]), &out); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, m[1])
	}
	return out
}

func TestStructuredDataAndCards(t *testing.T) { storetest.Each(t, testStructuredDataAndCards) }

func testStructuredDataAndCards(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	a := f.first(t)
	page := f.get(news.ArticlePath(a)).Body
	ld := ldOf(t, page)
	art, crumbs := ld[0], ld[1]
	// In the outlet's zone, the default Asia/Beirut: +02:00 in winter,
	// +03:00 in summer.
	published := settings.Defaults().DateFormat().ISO(a.PublishedAt)
	if art["@type"] != "NewsArticle" || art["headline"] != a.Headline || art["inLanguage"] != "ar" ||
		art["datePublished"] != published || art["articleSection"] != a.Section.Name {
		t.Errorf("NewsArticle: %v", art)
	}
	if imgs, _ := art["image"].([]any); len(imgs) != 3 {
		t.Errorf("want images in 16:9, 4:3 and 1:1, got %v", art["image"])
	} else {
		for i, want := range []float64{16.0 / 9, 4.0 / 3, 1} {
			im := imgs[i].(map[string]any)
			if r := im["width"].(float64) / im["height"].(float64); r < want-0.01 || r > want+0.01 {
				t.Errorf("image %d ratio %.3f, want %.3f", i, r, want)
			}
			if r := f.get(strings.TrimPrefix(im["url"].(string), "http://khabar.test")); r.Status != 200 {
				t.Errorf("image %s: %d", im["url"], r.Status)
			}
		}
	}
	if authors, _ := art["author"].([]any); len(authors) == 0 || authors[0].(map[string]any)["@type"] != "Person" {
		t.Errorf("author: %v", art["author"])
	}
	if pub, _ := art["publisher"].(map[string]any); pub["logo"] == nil || pub["sameAs"] == nil {
		t.Errorf("publisher: %v", art["publisher"])
	}
	if items, _ := crumbs["itemListElement"].([]any); crumbs["@type"] != "BreadcrumbList" || len(items) != 3 {
		t.Errorf("breadcrumbs: %v", crumbs)
	}
	for _, want := range []string{`property="og:type" content="article"`, `property="article:section"`, `property="article:tag"`,
		`property="og:image" content="http://khabar.test/media/`, `property="og:image:width" content="1200"`,
		`name="twitter:card" content="summary_large_image"`, `property="og:url" content="http://khabar.test/news/`} {
		if !strings.Contains(page, want) {
			t.Errorf("article page lacks %s", want)
		}
	}
	home := f.get("/").Body
	ld = ldOf(t, home)
	if ld[0]["@type"] != "WebSite" || !strings.Contains(html.UnescapeString(ld[0]["potentialAction"].(map[string]any)["target"].(map[string]any)["urlTemplate"].(string)), "/search?q={search_term_string}") {
		t.Errorf("WebSite: %v", ld[0])
	}
	if same, _ := ld[1]["sameAs"].([]any); len(same) < 3 {
		t.Errorf("Organization sameAs: %v", ld[1])
	}
	// A headline that tries to close the script stays inside the JSON.
	if strings.Contains(strings.ToLower(ldRe.FindStringSubmatch(page)[1]), "</script") {
		t.Error("JSON-LD can close its script element")
	}
}

func TestOEmbed(t *testing.T) { storetest.Each(t, testOEmbed) }

func testOEmbed(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	a := f.first(t)
	art := "http://khabar.test" + news.ArticlePath(a)
	page := f.get(news.ArticlePath(a)).Body
	if !strings.Contains(page, `type="application/json&#43;oembed"`) {
		t.Error("no oEmbed discovery link")
	}
	r := f.get("/oembed?format=json&url=" + url.QueryEscape(art))
	var res map[string]any
	if err := json.Unmarshal([]byte(r.Body), &res); err != nil || r.Status != 200 {
		t.Fatalf("oembed: %d %s", r.Status, r.Body)
	}
	if res["version"] != "1.0" || res["type"] != "link" || res["title"] != a.Headline || res["provider_name"] != "خبر" || res["thumbnail_url"] == nil {
		t.Errorf("oembed: %v", res)
	}
	for q, status := range map[string]int{
		"": 400,
		"url=" + url.QueryEscape(art) + "&format=xml":            501,
		"url=" + url.QueryEscape("https://evil.example/news/1"):  404,
		"url=" + url.QueryEscape("http://khabar.test/news/abc"):  404,
		"url=" + url.QueryEscape("http://khabar.test/news/9999"): 404,
		"url=" + url.QueryEscape("http://khabar.test/section/x"): 404,
		"url=%zz": 400,
	} {
		if r := f.get("/oembed?" + q); r.Status != status || !strings.Contains(r.Body, "error") {
			t.Errorf("oembed?%s: %d %s", q, r.Status, r.Body)
		}
	}
}

func TestHijriDateOption(t *testing.T) { storetest.Each(t, testHijriDateOption) }

func testHijriDateOption(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	a := f.first(t)
	path := news.ArticlePath(a)
	if strings.Contains(f.get(path).Body, `class="hijri"`) {
		t.Error("Hijri date shown while off")
	}
	if err := f.store.SaveSettings(context.Background(), map[string]string{"hijri": "on", "digits": "arabic"}); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	// The Umm al-Qura date of the article's own day, which the demo sets
	// from the moment it loads: the Hijri year turns every 354 days or so.
	s := settings.Defaults()
	s.Hijri, s.Digits = true, locale.DigitsArabic
	want := s.DateFormat().HijriDate(a.PublishedAt)
	if !strings.HasSuffix(want, " هـ") {
		t.Fatalf("no Umm al-Qura date for %v: %q", a.PublishedAt, want)
	}
	if body := f.get(path).Body; !strings.Contains(body, `class="hijri"`) || !strings.Contains(body, want) {
		t.Errorf("Hijri date missing once enabled: want %q", want)
	}
}
