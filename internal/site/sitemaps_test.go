package site

import (
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// xsdCheck validates doc, served at path, against the sitemap schemas of
// the shared data folder (../shared next to the repository) with xmllint;
// news and image extensions need the wrapper. It runs as a subtest, which
// is skipped, saying why, when the schemas or xmllint are missing, while
// the rest of the test goes on.
func xsdCheck(t *testing.T, path, doc, schema string) {
	t.Helper()
	t.Run("schema "+path, func(t *testing.T) { xsdValidate(t, doc, schema) })
}

func xsdValidate(t *testing.T, doc, schema string) {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "data", "schemas"))
	if _, err := os.Stat(filepath.Join(dir, "sitemap.xsd")); err != nil {
		t.Skipf("sitemap schemas not found at %s (the shared data folder, ../shared next to the repository): schema check skipped", dir)
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not on PATH (Debian package libxml2-utils): schema check skipped")
	}
	tmp := t.TempDir()
	xsd := filepath.Join(dir, schema)
	if schema == "" {
		xsd = filepath.Join(tmp, "wrapper.xsd")
		imports := ""
		for ns, file := range map[string]string{"http://www.sitemaps.org/schemas/sitemap/0.9": "sitemap.xsd",
			"http://www.google.com/schemas/sitemap-news/0.9": "sitemap-news.xsd", "http://www.google.com/schemas/sitemap-image/1.1": "sitemap-image.xsd"} {
			imports += `<xsd:import namespace="` + ns + `" schemaLocation="` + filepath.Join(dir, file) + `"/>`
		}
		os.WriteFile(xsd, []byte(`<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">`+imports+`</xsd:schema>`), 0o600)
	}
	file := filepath.Join(tmp, "doc.xml")
	os.WriteFile(file, []byte(doc), 0o600)
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, file).CombinedOutput(); err != nil {
		t.Errorf("%s: %v\n%s", schema, err, out)
	}
}

func TestSitemaps(t *testing.T) { storetest.Each(t, testSitemaps) }

func testSitemaps(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	robots := f.get("/robots.txt").Body
	if !strings.Contains(robots, "Sitemap: http://khabar.test/sitemap.xml") || !strings.Contains(robots, "Sitemap: http://khabar.test/sitemap-news.xml") {
		t.Errorf("robots.txt: %s", robots)
	}
	idx := f.get("/sitemap.xml")
	if idx.Status != 200 {
		t.Fatalf("index: %d", idx.Status)
	}
	xsdCheck(t, "/sitemap.xml", idx.Body, "siteindex.xsd")
	var parsed struct {
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(idx.Body), &parsed); err != nil || len(parsed.Sitemaps) < 4 {
		t.Fatalf("index: %v %+v", err, parsed)
	}
	urls := 0
	for _, sm := range parsed.Sitemaps {
		path := strings.TrimPrefix(sm.Loc, "http://khabar.test")
		r := f.get(path)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") {
			t.Errorf("%s: %d", path, r.Status)
			continue
		}
		xsdCheck(t, path, r.Body, "")
		if strings.Contains(path, "articles-") {
			urls += strings.Count(r.Body, "<url>")
		}
	}
	if urls != 33 {
		t.Errorf("article sitemaps list %d URLs, want the 33 demo articles", urls)
	}
	news1 := f.get("/sitemap-news.xml")
	xsdCheck(t, "/sitemap-news.xml", news1.Body, "")
	if !strings.Contains(news1.Body, "<news:language>ar</news:language>") || !strings.Contains(news1.Body, "<news:name>خبر</news:name>") {
		t.Errorf("news sitemap: %.500s", news1.Body)
	}
	for _, p := range []string{"/sitemaps/articles-1999-01.xml", "/sitemaps/articles-2026-13.xml", "/sitemaps/nothing.xml", "/sitemaps/articles-2026-11.txt"} {
		if r := f.get(p); r.Status != 404 {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	fresh := &news.Article{Headline: "خبر للخريطة & <العاجلة>", SectionID: f.first(t).SectionID, Status: news.StatusPublished}
	if err := f.store.CreateArticle(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	if news2 := f.get("/sitemap-news.xml").Body; !strings.Contains(news2, "خبر للخريطة &amp; &lt;العاجلة&gt;") {
		t.Error("news sitemap lacks the new article, escaped")
	}
	// The month the store dated the article in (UTC, as the index keys
	// them), not the test's clock, which may have passed into the next.
	// A 404 page links to articles too: the sitemap must be there and
	// list this one.
	month := "/sitemaps/articles-" + fresh.PublishedAt.UTC().Format("2006-01") + ".xml"
	if r := f.get(month); r.Status != 200 || !strings.Contains(r.Body, "/news/"+itoa(fresh.ID)+"/") {
		t.Errorf("%s: %d, does not list the new article", month, r.Status)
	}
}
