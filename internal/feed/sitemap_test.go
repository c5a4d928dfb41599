package feed

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"khabar/internal/news"
)

// validateXSD runs xmllint with a schema of the shared data folder
// (../shared next to the repository) over doc, in a subtest: it is
// skipped, saying why, when the schemas or xmllint are absent, and the
// test's other checks still run.
func validateXSD(t *testing.T, name string, doc []byte, schema string) {
	t.Helper()
	t.Run("schema "+name, func(t *testing.T) { xsdValidate(t, doc, schema) })
}

func xsdValidate(t *testing.T, doc []byte, schema string) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "data", "schemas"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sitemap.xsd")); err != nil {
		t.Skipf("sitemap schemas not found at %s (the shared data folder, ../shared next to the repository): schema check skipped", dir)
	}
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not on PATH (Debian package libxml2-utils): sitemap schema check skipped")
	}
	tmp := t.TempDir()
	xsd := filepath.Join(dir, schema)
	if schema == "" {
		// A urlset with the image and news extensions needs one schema that
		// imports every namespace (see shared/data/schemas/SOURCES.md).
		xsd = filepath.Join(tmp, "wrapper.xsd")
		wrapper := `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <xsd:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9" schemaLocation="` + filepath.Join(dir, "sitemap.xsd") + `"/>
  <xsd:import namespace="http://www.google.com/schemas/sitemap-news/0.9" schemaLocation="` + filepath.Join(dir, "sitemap-news.xsd") + `"/>
  <xsd:import namespace="http://www.google.com/schemas/sitemap-image/1.1" schemaLocation="` + filepath.Join(dir, "sitemap-image.xsd") + `"/>
</xsd:schema>`
		if err := os.WriteFile(xsd, []byte(wrapper), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(tmp, "doc.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		t.Errorf("schema %s: %v\n%s\n%s", schema, err, out, doc)
	}
}

func TestSitemaps(t *testing.T) {
	at := time.Date(2026, 11, 29, 6, 48, 0, 0, time.FixedZone("EET", 2*3600))
	var idx bytes.Buffer
	if err := SitemapIndex(&idx, []SitemapRef{{Loc: "https://news.example/sitemaps/articles-2026-11.xml", LastMod: at}, {Loc: "https://news.example/sitemaps/sections.xml"}}); err != nil {
		t.Fatal(err)
	}
	validateXSD(t, "index", idx.Bytes(), "siteindex.xsd")

	urls := []SitemapURL{
		{Loc: "https://news.example/news/1/%D8%AE%D8%A8%D8%B1", LastMod: at, Images: []string{"https://news.example/media/a.svg"},
			News: &NewsEntry{Publication: "خبر & شركاه", Language: "ar", Published: at, Title: "عنوان <مهم> & \x01عاجل 🎉\u200f"}},
		{Loc: "https://news.example/section/politics"},
	}
	var set bytes.Buffer
	if err := URLSet(&set, urls); err != nil {
		t.Fatal(err)
	}
	validateXSD(t, "urlset", set.Bytes(), "")
	var back struct {
		URLs []struct {
			Loc  string `xml:"loc"`
			News struct {
				Title string `xml:"title"`
			} `xml:"news"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(set.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.URLs) != 2 || back.URLs[0].News.Title != "عنوان <مهم> & عاجل 🎉\u200f" {
		t.Errorf("round trip: %+v", back)
	}
	if !strings.Contains(set.String(), "<lastmod>2026-11-29T04:48:00Z</lastmod>") {
		t.Errorf("lastmod not W3C UTC:\n%s", set.String())
	}
	if err := URLSet(&bytes.Buffer{}, nil); err != ErrEmptySitemap {
		t.Errorf("empty urlset: %v", err)
	}

	many := make([]SitemapURL, MaxSitemapURLs+10)
	for i := range many {
		many[i].Loc = "https://news.example/news/1"
	}
	var big bytes.Buffer
	URLSet(&big, many)
	if n := strings.Count(big.String(), "<url>"); n != MaxSitemapURLs {
		t.Errorf("%d URLs written, limit %d", n, MaxSitemapURLs)
	}
}

func TestSitemapGolden(t *testing.T) {
	at := time.Date(2026, 11, 29, 6, 48, 0, 0, time.UTC)
	var idx, set bytes.Buffer
	if err := SitemapIndex(&idx, []SitemapRef{{Loc: "https://news.example/sitemaps/articles-2026-11.xml", LastMod: at}}); err != nil {
		t.Fatal(err)
	}
	if err := URLSet(&set, []SitemapURL{{Loc: "https://news.example/news/1/%D8%AE%D8%A8%D8%B1", LastMod: at,
		Images: []string{"https://news.example/media/1.jpg"},
		News:   &NewsEntry{Publication: "خبر", Language: "ar", Published: at, Title: "عنوان & <عاجل>"}}}); err != nil {
		t.Fatal(err)
	}
	golden(t, "sitemap-index.xml", idx.Bytes())
	golden(t, "sitemap-urlset.xml", set.Bytes())
}

// TestManyTags: an article with 10,000 tags (an importer's accident)
// still makes valid feeds.
func TestManyTags(t *testing.T) {
	c, items := fixture()
	for i := 0; i < 10000; i++ {
		items[0].Article.Tags = append(items[0].Article.Tags, news.Tag{Name: "وسم " + strconv.Itoa(i)})
	}
	for name, enc := range map[string]func(io.Writer, Channel, []Item) error{"rss": RSS, "atom": Atom, "json": JSON} {
		var buf bytes.Buffer
		if err := enc(&buf, c, items); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := gofeed.NewParser().ParseString(buf.String()); err != nil {
			t.Errorf("%s with 10,000 tags does not parse: %v", name, err)
		}
	}
}
