package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"khabar/internal/feed/feedtest"
	"khabar/internal/news"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Raw and expected headline of the first item: Arabic, &, <, an emoji, an
// RTL mark (U+200F), a control character and an invalid UTF-8 byte.
const (
	rawHeadline   = "عاجل: الحكومة & البرلمان <اتفاق> 🎉 \u200Fنعم\x01 \xff نهاية"
	cleanHeadline = "عاجل: الحكومة & البرلمان <اتفاق> 🎉 \u200Fنعم \uFFFD نهاية"
	lead1         = "\u202Bتفاصيل الاتفاق\u202C بين الطرفين & ما بعده"
	html1         = `<p>نص <strong>المقال</strong> &amp; المزيد &lt;هنا&gt; 🎉</p>`
)

var (
	zone      = time.FixedZone("+03", 3*60*60)
	politics  = &news.Section{ID: 1, Slug: "politics", Name: "سياسة"}
	economy   = &news.Section{ID: 2, Slug: "economy", Name: "اقتصاد"}
	published = [3]time.Time{
		time.Date(2026, 11, 3, 14, 5, 0, 0, zone),
		time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 20, 0, 0, 0, zone),
	}
	updated = [3]time.Time{
		time.Date(2026, 11, 3, 15, 0, 0, 0, zone),
		time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 21, 15, 0, 0, zone),
	}
)

func fixture() (Channel, []Item) {
	c := Channel{
		Title:       "خبر – سياسة",
		Description: "آخر أخبار السياسة من خبر",
		Language:    "ar",
		SiteURL:     "https://news.example/section/politics",
		FeedURL:     "https://news.example/section/politics/feed",
		Updated:     updated[0],
		Hubs:        []string{"https://hub.example/", "https://pubsubhubbub.example/"},
	}
	items := []Item{
		{
			Article: &news.Article{
				ID: 1, Slug: "agreement", Headline: rawHeadline, Lead: lead1,
				Section: politics, SectionID: 1, Language: "ar",
				Tags:        []news.Tag{{ID: 1, Slug: "parliament", Name: "البرلمان"}, {ID: 2, Slug: "gov", Name: "الحكومة"}},
				Authors:     []news.Author{{ID: 1, Name: "سارة أحمد"}, {ID: 2, Name: "محمد علي"}},
				PublishedAt: published[0], UpdatedAt: updated[0],
			},
			URL:       "https://news.example/2026/11/03/agreement",
			HTML:      html1,
			ImageURL:  "https://news.example/media/2026/11/agreement.jpg",
			ImageType: "image/jpeg", ImageWidth: 1200, ImageHeight: 675,
		},
		{
			Article: &news.Article{
				ID: 2, Slug: "growth", Headline: "الاقتصاد ينمو ٣٪ في الربع الثالث", Lead: "أرقام جديدة.",
				Section: economy, SectionID: 2, Language: "ar",
				Tags:        []news.Tag{{ID: 3, Slug: "economy", Name: "اقتصاد"}, {ID: 4, Slug: "gdp", Name: "الناتج المحلي"}},
				Authors:     []news.Author{{ID: 3, Name: "ليلى حسن"}},
				PublishedAt: published[1], UpdatedAt: updated[1],
			},
			URL:  "https://news.example/2026/11/02/growth",
			HTML: "<p>النمو مستمر.</p>",
		},
		{
			Article: &news.Article{
				ID: 3, Slug: "agency", Headline: "Reuters: talks resume", Source: "Reuters",
				Section: politics, SectionID: 1, Language: "en",
				Body:        []news.Block{{Type: news.BlockParagraph, Text: "Talks <em>resumed</em> on Sunday."}},
				PublishedAt: published[2], UpdatedAt: updated[2],
			},
			URL:  "https://news.example/2026/11/01/agency",
			HTML: "<p>Talks <em>resumed</em> on Sunday.</p>",
		},
	}
	return c, items
}

// want is what a reader must see for each fixture item.
type want struct {
	title, url, summary, content, image string
	authors, categories                 []string
}

var wantItems = []want{
	{cleanHeadline, "https://news.example/2026/11/03/agreement", lead1, html1,
		"https://news.example/media/2026/11/agreement.jpg",
		[]string{"سارة أحمد", "محمد علي"}, []string{"سياسة", "البرلمان", "الحكومة"}},
	{"الاقتصاد ينمو ٣٪ في الربع الثالث", "https://news.example/2026/11/02/growth", "أرقام جديدة.", "<p>النمو مستمر.</p>", "",
		[]string{"ليلى حسن"}, []string{"اقتصاد", "الناتج المحلي"}},
	{"Reuters: talks resume", "https://news.example/2026/11/01/agency", "Talks resumed on Sunday.", "<p>Talks <em>resumed</em> on Sunday.</p>", "",
		nil, []string{"سياسة"}},
}

type encoder func(io.Writer, Channel, []Item) error

var formats = []struct {
	name   string
	enc    encoder
	golden string
}{
	{"rss", RSS, "feed.rss"},
	{"atom", Atom, "feed.atom"},
	{"json", JSON, "feed.json"},
}

func render(t *testing.T, enc encoder, c Channel, items []Item) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := enc(&buf, c, items); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			c, items := fixture()
			got := render(t, f.enc, c, items)
			if again := render(t, f.enc, c, items); !bytes.Equal(got, again) {
				t.Fatal("output is not deterministic")
			}
			golden(t, f.golden, got)
			if !utf8.Valid(got) {
				t.Error("output is not valid UTF-8")
			}
		})
	}
}

// authorsOf returns all author names gofeed found; for RSS gofeed's Authors
// holds only the first dc:creator, the full list is in the DC extension.
func authorsOf(format string, it *gofeed.Item) []string {
	var names []string
	if format == "rss" {
		if it.DublinCoreExt != nil {
			names = append(names, it.DublinCoreExt.Creator...)
		}
		return names
	}
	for _, p := range it.Authors {
		names = append(names, p.Name)
	}
	return names
}

func TestGofeedRoundTrip(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			c, items := fixture()
			out := render(t, f.enc, c, items)
			fd, err := gofeed.NewParser().ParseString(string(out))
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if gofeed.DetectFeedType(bytes.NewReader(out)) != map[string]gofeed.FeedType{"rss": gofeed.FeedTypeRSS, "atom": gofeed.FeedTypeAtom, "json": gofeed.FeedTypeJSON}[f.name] {
				t.Errorf("gofeed detects feed type %q", fd.FeedType)
			}
			eq(t, "feed title", fd.Title, c.Title)
			eq(t, "feed description", fd.Description, c.Description)
			eq(t, "feed link", fd.Link, c.SiteURL)
			eq(t, "feed self link", fd.FeedLink, c.FeedURL)
			eq(t, "feed language", fd.Language, c.Language)
			if f.name != "json" { // JSON Feed has no feed-level date
				if fd.UpdatedParsed == nil || !fd.UpdatedParsed.Equal(c.Updated) {
					t.Errorf("feed updated %v, want %v", fd.UpdatedParsed, c.Updated)
				}
			}
			if len(fd.Items) != len(wantItems) {
				t.Fatalf("%d items, want %d", len(fd.Items), len(wantItems))
			}
			for i, w := range wantItems {
				it := fd.Items[i]
				p := fmt.Sprintf("item %d ", i)
				eq(t, p+"title", it.Title, w.title)
				eq(t, p+"link", it.Link, w.url)
				eq(t, p+"guid", it.GUID, w.url)
				summary := it.Description
				if f.name == "rss" { // HTML, which gofeed hands over as it is
					summary = feedtest.Render(t, summary).Text
				}
				eq(t, p+"summary", summary, w.summary)
				eq(t, p+"content", it.Content, w.content)
				eq(t, p+"authors", strings.Join(authorsOf(f.name, it), "|"), strings.Join(w.authors, "|"))
				eq(t, p+"categories", strings.Join(it.Categories, "|"), strings.Join(w.categories, "|"))
				img := ""
				if it.Image != nil {
					img = it.Image.URL
				}
				if f.name == "atom" && len(it.Enclosures) > 0 { // gofeed reads Atom images as enclosures
					img = it.Enclosures[0].URL
				}
				eq(t, p+"image", img, w.image)
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(published[i]) {
					t.Errorf("%spublished %v, want %v", p, it.PublishedParsed, published[i])
				}
				if f.name != "rss" { // RSS items have no modification date
					if it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(updated[i]) {
						t.Errorf("%supdated %v, want %v", p, it.UpdatedParsed, updated[i])
					}
				}
			}
			first := fd.Items[0].Title
			for _, s := range []string{"&", "<", "🎉", "\u200F", "\uFFFD", "البرلمان"} {
				if !strings.Contains(first, s) {
					t.Errorf("title lost %q: %q", s, first)
				}
			}
			if strings.ContainsRune(first, '\x01') {
				t.Errorf("control character survived: %q", first)
			}
			if !strings.Contains(fd.Items[0].Description, "\u202B") {
				t.Errorf("summary lost U+202B: %q", fd.Items[0].Description)
			}
		})
	}
}

func eq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func TestEmptyFeed(t *testing.T) {
	c, _ := fixture()
	for _, f := range formats {
		for _, items := range [][]Item{nil, {}} {
			t.Run(f.name, func(t *testing.T) {
				out := render(t, f.enc, c, items)
				fd, err := gofeed.NewParser().ParseString(string(out))
				if err != nil {
					t.Fatalf("gofeed: %v\n%s", err, out)
				}
				if len(fd.Items) != 0 || fd.Title != c.Title {
					t.Errorf("got %d items, title %q", len(fd.Items), fd.Title)
				}
				switch f.name {
				case "json":
					checkJSONSchema(t, out)
				case "atom":
					checkWellFormed(t, out)
					checkAtomRelaxNG(t, out)
				default:
					checkWellFormed(t, out)
				}
			})
		}
	}
	// With no items and no channel date, Atom still needs an updated element.
	c.Updated = time.Time{}
	out := render(t, Atom, c, nil)
	if !bytes.Contains(out, []byte("<updated>1970-01-01T00:00:00Z</updated>")) {
		t.Errorf("undated empty Atom feed:\n%s", out)
	}
}

func TestNilArticle(t *testing.T) {
	c, _ := fixture()
	for _, f := range formats {
		err := f.enc(io.Discard, c, []Item{{URL: "https://news.example/x"}})
		if !errors.Is(err, ErrNoArticle) {
			t.Errorf("%s: err = %v, want ErrNoArticle", f.name, err)
		}
	}
}

func TestTimes(t *testing.T) {
	// Local becomes UTC; other zones are kept.
	local := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)
	if got, want := rfc3339(local), local.UTC().Format(time.RFC3339); got != want {
		t.Errorf("local: %s, want %s", got, want)
	}
	if got := rfc3339(published[0]); got != "2026-11-03T14:05:00+03:00" {
		t.Errorf("zoned: %s", got)
	}
	if got := rfc1123z(published[0]); got != "Tue, 03 Nov 2026 14:05:00 +0300" {
		t.Errorf("rfc1123z: %s", got)
	}
	// An article with only UpdatedAt, or neither date.
	c, _ := fixture()
	a := &news.Article{Headline: "x", UpdatedAt: updated[1]}
	out := render(t, JSON, c, []Item{{Article: a, URL: "https://news.example/x"}, {Article: &news.Article{Headline: "y"}}})
	if !bytes.Contains(out, []byte(`"date_published": "2026-11-02T09:30:00Z"`)) || bytes.Contains(out, []byte("0001-01-01")) {
		t.Errorf("dates:\n%s", out)
	}
	checkJSONSchema(t, out)
}

func TestXMLSafe(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"arabic", "خبر عاجل", "خبر عاجل"},
		{"markup chars kept", "a & b < c > d \" '", "a & b < c > d \" '"},
		{"emoji", "🎉👍🏽", "🎉👍🏽"},
		{"bidi marks kept", "\u200Fأ\u202Bب\u202C\u200E\u2067", "\u200Fأ\u202Bب\u202C\u200E\u2067"},
		{"allowed whitespace", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"C0 controls dropped", "a\x00b\x01c\x08d\x0Be\x0Cf\x1Fg", "abcdefg"},
		{"DEL and C1 kept (allowed in XML 1.0)", "a\x7Fb\u0085c", "a\x7Fb\u0085c"},
		{"noncharacters FFFE FFFF dropped", "a\uFFFEb\uFFFFc", "abc"},
		{"U+FFFD kept", "a\uFFFDb", "a\uFFFDb"},
		{"invalid byte replaced", "a\xffb", "a\uFFFDb"},
		{"invalid run replaced once", "a\xff\xfe\xc0b", "a\uFFFDb"},
		{"truncated sequence", "a\xd8", "a\uFFFD"},
		{"lone high surrogate dropped", "a\xed\xa0\x80b", "ab"},
		{"lone low surrogate dropped", "a\xed\xbf\xbfb", "ab"},
		{"surrogate pair (CESU-8) dropped", "a\xed\xa0\xbd\xed\xb8\x80b", "ab"},
		{"astral plane kept", "\U0010FFFD\U0001F600", "\U0010FFFD\U0001F600"},
		{"headline", rawHeadline, cleanHeadline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := xmlSafe(tt.in); got != tt.want {
				t.Errorf("xmlSafe(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := xmlSafe(tt.want); got != tt.want {
				t.Errorf("not idempotent: %q", got)
			}
		})
	}
}

// elem is an element with the string both as text and as an attribute.
type elem struct {
	XMLName xml.Name `xml:"e"`
	Attr    string   `xml:"a,attr"`
	Text    string   `xml:",chardata"`
}

func FuzzXMLSafe(f *testing.F) {
	for _, s := range []string{"", rawHeadline, lead1, html1, "a\x00\r\n\t]]>", "\xed\xa0\x80", "\uFFFE\uFFFF", "&amp;<![CDATA[x]]>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := xmlSafe(in)
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8: %q", s)
		}
		for _, r := range s {
			if !xmlChar(r) {
				t.Fatalf("disallowed %U in %q", r, s)
			}
		}
		if xmlSafe(s) != s {
			t.Fatalf("not idempotent: %q", s)
		}
		if isXMLSafe(in) && s != in {
			t.Fatalf("safe input changed: %q -> %q", in, s)
		}
		b, err := xml.Marshal(elem{Attr: s, Text: s})
		if err != nil {
			t.Fatal(err)
		}
		var back elem
		if err := xml.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal %q: %v", b, err)
		}
		if back.Text != s || back.Attr != s {
			t.Fatalf("round trip: %q -> text %q attr %q", s, back.Text, back.Attr)
		}
	})
}

// checkWellFormed reads every token with encoding/xml.
func checkWellFormed(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
	}
}

// schemaDir is data/schemas of the shared data folder (../shared next to
// the repository); without it the test is skipped, saying so. Callers
// check schemas in a subtest, or in a test of their own, so that a skip
// leaves no other check out.
func schemaDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "data", "schemas"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("feed schemas not found at %s (the shared data folder, ../shared next to the repository): schema check skipped", dir)
	}
	return dir
}

func TestAtomSchema(t *testing.T) {
	c, items := fixture()
	out := render(t, Atom, c, items)
	checkWellFormed(t, out)
	checkAtomRules(t, out)
	checkAtomRelaxNG(t, out)
}

// checkAtomRules checks the two RFC 4287 Schematron rules xmllint does not
// enforce: every entry has an author (or the feed has one), and every entry
// has content or a rel="alternate" link.
func checkAtomRules(t *testing.T, doc []byte) {
	t.Helper()
	var f struct {
		Author  []struct{ Name string } `xml:"author"`
		Entries []struct {
			Author  []struct{ Name string } `xml:"author"`
			Content *struct{}               `xml:"content"`
			Links   []struct {
				Rel string `xml:"rel,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatal(err)
	}
	for i, e := range f.Entries {
		if len(e.Author) == 0 && len(f.Author) == 0 {
			t.Errorf("entry %d: no author and no feed author", i)
		}
		alt := false
		for _, l := range e.Links {
			alt = alt || l.Rel == "alternate" || l.Rel == ""
		}
		if e.Content == nil && !alt {
			t.Errorf("entry %d: neither content nor alternate link", i)
		}
	}
}

// checkAtomRelaxNG validates doc against RFC 4287's RELAX NG grammar in a
// subtest, so that a skip for want of the schema or xmllint leaves the
// calling test's own result alone.
func checkAtomRelaxNG(t *testing.T, doc []byte) {
	t.Helper()
	t.Run("schema", func(t *testing.T) { atomRelaxNG(t, doc) })
}

func atomRelaxNG(t *testing.T, doc []byte) {
	rng := filepath.Join(schemaDir(t), "atom.rng")
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not on PATH; install libxml2-utils to validate Atom against RFC 4287's RELAX NG grammar")
	}
	path := filepath.Join(t.TempDir(), "feed.atom")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--relaxng", rng, path).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint --relaxng %s: %v\n%s", rng, err, out)
	}
}

func TestJSONSchema(t *testing.T) {
	c, items := fixture()
	checkJSONSchema(t, render(t, JSON, c, items))
}

// TestJSONSchemaValidator makes sure the small validator below rejects what
// the schema rejects and accepts the examples shipped with the schema.
func TestJSONSchemaValidator(t *testing.T) {
	dir := schemaDir(t)
	schema := loadJSONSchema(t, dir)
	examples, _ := filepath.Glob(filepath.Join(dir, "jsonfeed-examples", "*.json"))
	if len(examples) == 0 {
		t.Fatal("no examples")
	}
	for _, p := range examples {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if errs := validate(schema, schema, doc, "$"); len(errs) > 0 {
			t.Errorf("%s: %v", p, errs)
		}
	}
	bad := []string{
		`{"version":"https://jsonfeed.org/version/1.1","items":[]}`,                                       // no title
		`{"version":"2","title":"x","items":[]}`,                                                          // bad version
		`{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[{"id":"1"}]}`,                 // no content
		`{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[],"extra":1}`,                 // unknown field
		`{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[{"id":1,"content_html":""}]}`, // id not a string
		`{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[{"id":"1","content_html":"","authors":[{}]}]}`,
		`{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[{"id":"1","content_html":"","date_published":"yesterday"}]}`,
		`{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[],"hubs":[{"type":"WebSub"}]}`,
	}
	for _, s := range bad {
		var doc any
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			t.Fatal(err)
		}
		if errs := validate(schema, schema, doc, "$"); len(errs) == 0 {
			t.Errorf("accepted %s", s)
		}
	}
}

func loadJSONSchema(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "jsonfeed-1.1.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	return schema
}

// checkJSONSchema validates doc against jsonfeed-1.1.schema.json with the
// small draft-07 subset validator below (the schema uses only that subset;
// the validator fails on any keyword it does not know, so it cannot pass a
// document by ignoring a rule), in a subtest like checkAtomRelaxNG.
func checkJSONSchema(t *testing.T, doc []byte) {
	t.Helper()
	t.Run("schema", func(t *testing.T) { jsonSchema(t, doc) })
}

func jsonSchema(t *testing.T, doc []byte) {
	schema := loadJSONSchema(t, schemaDir(t))
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if errs := validate(schema, schema, v, "$"); len(errs) > 0 {
		t.Errorf("JSON Feed schema: %s", strings.Join(errs, "; "))
	}
}

// validate checks v against schema s (draft-07 subset: $ref to
// #/definitions, type, enum, format uri/date-time, properties,
// patternProperties, additionalProperties, required, minProperties, items,
// allOf, anyOf). It returns one message per violation.
func validate(root, s map[string]any, v any, at string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range s {
		switch k {
		case "$schema", "title", "description", "$ref", "type", "enum", "format", "properties",
			"patternProperties", "additionalProperties", "required", "minProperties", "items", "allOf", "anyOf", "definitions":
		default:
			fail("validator does not implement keyword %q", k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/definitions/")
		def, _ := root["definitions"].(map[string]any)[name].(map[string]any)
		if !ok || def == nil {
			fail("unresolvable $ref %q", ref)
		} else {
			errs = append(errs, validate(root, def, v, at)...)
		}
	}
	if typ, ok := s["type"].(string); ok {
		okType := false
		switch typ {
		case "object":
			_, okType = v.(map[string]any)
		case "array":
			_, okType = v.([]any)
		case "string":
			_, okType = v.(string)
		case "number":
			_, okType = v.(float64)
		case "boolean":
			_, okType = v.(bool)
		default:
			fail("validator does not implement type %q", typ)
		}
		if !okType {
			fail("want %s, got %T", typ, v)
			return errs
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			fail("%v not in %v", v, enum)
		}
	}
	if format, ok := s["format"].(string); ok {
		if str, isStr := v.(string); isStr {
			switch format {
			case "uri":
				if u, err := url.Parse(str); err != nil || !u.IsAbs() {
					fail("not an absolute URI: %q", str)
				}
			case "date-time":
				if _, err := time.Parse(time.RFC3339, str); err != nil {
					fail("not RFC 3339: %q", str)
				}
			default:
				fail("validator does not implement format %q", format)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		pats, _ := s["patternProperties"].(map[string]any)
		for k, val := range obj {
			matched := false
			if ps, ok := props[k].(map[string]any); ok {
				matched = true
				errs = append(errs, validate(root, ps, val, at+"."+k)...)
			}
			for pat, ps := range pats {
				if regexp.MustCompile(pat).MatchString(k) {
					matched = true
					errs = append(errs, validate(root, ps.(map[string]any), val, at+"."+k)...)
				}
			}
			if ap, ok := s["additionalProperties"].(bool); ok && !ap && !matched {
				fail("property %q not allowed", k)
			}
		}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					fail("missing required %q", r)
				}
			}
		}
		if mp, ok := s["minProperties"].(float64); ok && float64(len(obj)) < mp {
			fail("fewer than %v properties", mp)
		}
	}
	if arr, ok := v.([]any); ok {
		if is, ok := s["items"].(map[string]any); ok {
			for i, el := range arr {
				errs = append(errs, validate(root, is, el, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			errs = append(errs, validate(root, sub.(map[string]any), v, at)...)
		}
	}
	if anyOf, ok := s["anyOf"].([]any); ok {
		passed := false
		for _, sub := range anyOf {
			passed = passed || len(validate(root, sub.(map[string]any), v, at)) == 0
		}
		if !passed {
			fail("matches none of anyOf")
		}
	}
	return errs
}

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended):\n%s", path, got)
	}
}
