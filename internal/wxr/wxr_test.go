package wxr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// export is everything a file holds, read through Reader.
type export struct {
	site    Site
	authors []*Author
	terms   []*Term
	items   []*Item
}

func (e *export) count(taxonomy string) int {
	n := 0
	for _, t := range e.terms {
		if t.Taxonomy == taxonomy {
			n++
		}
	}
	return n
}

func (e *export) types() map[string]int {
	m := map[string]int{}
	for _, it := range e.items {
		m[it.PostType]++
	}
	return m
}

func readAll(r io.Reader, maxItem int64) (*export, error) {
	rd := NewReader(r, maxItem)
	e := &export{}
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			e.site = rd.Site()
			return e, nil
		}
		if err != nil {
			return e, err
		}
		switch v := rec.(type) {
		case *Author:
			e.authors = append(e.authors, v)
		case *Term:
			e.terms = append(e.terms, v)
		case *Item:
			e.items = append(e.items, v)
		}
	}
}

// fixtures is the shared folder of real exports (../shared/data/wxr from
// the repository); tests using it skip when it is absent.
func fixtures(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	if _, err := os.Stat(filepath.Join(dir, "themeunittestdata.wordpress.xml")); err != nil {
		t.Skipf("the WordPress fixtures are not there (%s): %v", dir, err)
	}
	return dir
}

func readFixture(t *testing.T, name string) (*export, error) {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtures(t), name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readAll(f, 0)
}

// TestFixtures reads WordPress's own importer fixtures and the theme unit
// test data, checking what the WordPress importer's tests check of them
// (phpunit/tests/parser.php and import.php).
func TestFixtures(t *testing.T) {
	for _, c := range []struct {
		file                    string
		version                 string
		authors, items          int
		categories, tags, terms int
		types                   map[string]int
		check                   func(t *testing.T, e *export)
	}{
		{file: "valid-wxr-1.0.xml", version: "1.0", items: 6, categories: 5, tags: 4, check: func(t *testing.T, e *export) {
			// test_wxr_version_1_0: the author is only a dc:creator.
			if e.items[0].Creator != "admin" {
				t.Errorf("creator %q", e.items[0].Creator)
			}
			// WXR 1.0 lists terms twice, with and without nicename, and
			// calls tags "tag".
			want := []ItemTerm{{"category", "alpha", "alpha"}, {"post_tag", "news", "news"}, {"post_tag", "roar", "roar"}}
			if got := e.items[2].Terms; !slices.Equal(got, want) {
				t.Errorf("terms %+v, want %+v", got, want)
			}
		}},
		{file: "valid-wxr-1.1.xml", version: "1.1", authors: 1, items: 2, categories: 1, tags: 1, terms: 1, check: func(t *testing.T, e *export) {
			// test_wxr_version_1_1
			if e.site.BaseSiteURL != "http://localhost/" {
				t.Errorf("base url %q", e.site.BaseSiteURL)
			}
			a := e.authors[0]
			if a.ID != 2 || a.Login != "john" || a.Email != "johndoe@example.org" || a.DisplayName != "John Doe" || a.FirstName != "John" || a.LastName != "Doe" {
				t.Errorf("author %+v", a)
			}
			p := e.items[0]
			if p.Title != "Hello world!" || p.PostID != 1 || p.Status != "publish" || p.PostType != "post" || p.Creator != "john" {
				t.Errorf("post %+v", p)
			}
			if len(p.Comments) != 1 || len(p.Meta) != 0 || len(p.Terms) != 3 {
				t.Errorf("comments %d, meta %d", len(p.Comments), len(p.Meta))
			}
		}},
		{file: "small-export.xml", version: "1.1", authors: 3, items: 11, categories: 30, tags: 3, types: map[string]int{"post": 6, "page": 5}},
		{file: "wxr-utf-8-challenges.xml", version: "1.2", authors: 1, items: 1, check: func(t *testing.T, e *export) {
			p := e.items[0]
			if p.PostName != "hello-w\u202Eorld\u202C-utf8-💫-test" {
				t.Errorf("slug %q", p.PostName)
			}
			if !strings.Contains(p.Content, "السلام عليكم وﷲ") {
				t.Errorf("content %q", p.Content)
			}
			if len(p.Meta) != 5 || p.Meta[0].Key != "_pingme\u200C\u200B\u200D\u200E" {
				t.Errorf("meta %q", p.Meta)
			}
		}},
		{file: "crazy-cdata-escaped.xml", version: "1.1", items: 1, check: func(t *testing.T, e *export) {
			p := e.items[0]
			if p.Content != "Content with nested <![CDATA[ tags ]]> :)" {
				t.Errorf("content %q", p.Content)
			}
			want := []string{"Foo", "]]>", "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>"}
			for i, w := range want {
				if i >= len(p.Meta) || p.Meta[i].Value != w {
					t.Errorf("meta %d: %q, want %q", i, p.Meta, w)
				}
			}
		}},
		{file: "slashes.xml", version: "1.1", authors: 1, items: 1, categories: 1, tags: 1, check: func(t *testing.T, e *export) {
			// WP ticket 21007: backslashes survive.
			if e.terms[0].Name != `a \"great\" category` || e.terms[1].Name != `foo\'bar` {
				t.Errorf("terms %q %q", e.terms[0].Name, e.terms[1].Name)
			}
			p := e.items[0]
			if p.Content != `Slashes aren\'t \"cool\"` || p.Comments[0].Content != `\o/ ¯\_(ツ)_/¯` {
				t.Errorf("content %q, comment %q", p.Content, p.Comments[0].Content)
			}
		}},
		{file: "post-content-blank-lines.xml", version: "1.1", authors: 1, items: 1, check: func(t *testing.T, e *export) {
			if n := strings.Count(e.items[0].Content, "\n"); n != 3 {
				t.Errorf("%d newlines in %q, want 3", n, e.items[0].Content)
			}
		}},
		{file: "term-formats.xml", version: "1.2", categories: 2, tags: 3, terms: 2, check: func(t *testing.T, e *export) {
			if e.site.BaseSiteURL != "http://localhost/" {
				t.Errorf("base url %q", e.site.BaseSiteURL)
			}
		}},
		{file: "term-meta.xml", version: "1.2", categories: 1},
		{file: "test-serialized-postmeta-with-cdata.xml", version: "1.0", items: 1},
		{file: "namespace-edge-cases.xml", version: "1.2", authors: 2, items: 6, categories: 2, check: func(t *testing.T, e *export) {
			// Elements count only in a WXR namespace, whatever their
			// prefix; the fake and custom authors are not authors.
			if e.authors[0].Login != "real_user" || e.authors[1].Login != "version_conflict" {
				t.Errorf("authors %q %q", e.authors[0].Login, e.authors[1].Login)
			}
			want := []struct {
				title string
				id    int64
				typ   string
			}{{"Mixed Namespaces", 999, "post"}, {"No Prefix", 2, "post"}, {"Empty Namespace", 3, "post"},
				{"Unicode Namespace", 4, "post"}, {"Hijacked Namespace", 0, ""}, {"Namespace Bomb", 6, "post"}}
			for i, w := range want {
				it := e.items[i]
				if it.Title != w.title || it.PostID != w.id || it.PostType != w.typ {
					t.Errorf("item %d: %q %d %q, want %+v", i, it.Title, it.PostID, it.PostType, w)
				}
			}
			if got := e.items[0].Meta; len(got) != 1 || got[0].Key != "normal_key" {
				t.Errorf("meta of the mixed item %q", got)
			}
		}},
		{file: "themeunittestdata.wordpress.xml", version: "1.2", authors: 2, items: 186, categories: 69, tags: 110, terms: 6,
			types: map[string]int{"post": 58, "page": 21, "attachment": 37, "nav_menu_item": 70}, check: func(t *testing.T, e *export) {
				if e.site.Link != "https://wpthemetestdata.wordpress.com" || e.authors[0].DisplayName != "Theme Buster" {
					t.Errorf("site %+v, author %+v", e.site, e.authors[0])
				}
				comments, sticky := 0, 0
				for _, it := range e.items {
					comments += len(it.Comments)
					if it.Sticky {
						sticky++
					}
				}
				if comments == 0 || sticky == 0 {
					t.Errorf("%d comments, %d sticky posts", comments, sticky)
				}
			}},
	} {
		t.Run(c.file, func(t *testing.T) {
			e, err := readFixture(t, c.file)
			if err != nil {
				t.Fatal(err)
			}
			if e.site.Version != c.version || len(e.authors) != c.authors || len(e.items) != c.items {
				t.Errorf("version %q, %d authors, %d items; want %q, %d, %d", e.site.Version, len(e.authors), len(e.items), c.version, c.authors, c.items)
			}
			if n := e.count("category"); n != c.categories {
				t.Errorf("%d categories, want %d", n, c.categories)
			}
			if n := e.count("post_tag"); n != c.tags {
				t.Errorf("%d tags, want %d", n, c.tags)
			}
			if n := len(e.terms) - e.count("category") - e.count("post_tag"); n != c.terms {
				t.Errorf("%d other terms, want %d", n, c.terms)
			}
			if c.types != nil {
				got := e.types()
				for typ, n := range c.types {
					if got[typ] != n {
						t.Errorf("%d items of type %s, want %d", got[typ], typ, n)
					}
				}
			}
			if c.check != nil {
				c.check(t, e)
			}
		})
	}
}

// TestBadFixtures: files WordPress's importer refuses are refused with
// the line that is wrong.
func TestBadFixtures(t *testing.T) {
	for _, c := range []struct {
		file string
		line int
		is   error
		msg  string
	}{
		{"malformed.xml", 90, nil, "there was an error when reading this WXR file"},
		{"missing-version-tag.xml", 35, ErrNotWXR, "missing or invalid WXR version number"},
		// Not well-formed XML: an unescaped ]]> in a CDATA section.
		{"crazy-cdata.xml", 18, nil, "there was an error when reading this WXR file"},
	} {
		t.Run(c.file, func(t *testing.T) {
			_, err := readFixture(t, c.file)
			checkError(t, err, c.line, c.is, c.msg)
		})
	}
}

func checkError(t *testing.T, err error, line int, is error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want an *Error", err, err)
	}
	if line > 0 && e.Line != line {
		t.Errorf("line %d, want %d (%v)", e.Line, line, err)
	}
	if is != nil && !errors.Is(err, is) {
		t.Errorf("%v is not %v", err, is)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("%q does not say %q", err, msg)
	}
}

const head = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><wp:wxr_version>1.2</wp:wxr_version>
`

// TestHostile: exports made to hurt are refused with a precise error,
// never a panic, an expansion or a read of a local file.
func TestHostile(t *testing.T) {
	bomb := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<rss><channel><wp:wxr_version xmlns:wp="http://wordpress.org/export/1.2/">1.2</wp:wxr_version><item><title>&lol2;</title></item></channel></rss>`
	xxe := `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title></item></channel></rss>`
	big := head + "<item><title>big</title><wp:post_id>7</wp:post_id><content:encoded><![CDATA[" +
		strings.Repeat("كلمة ", 300000) + "]]></content:encoded></item></channel></rss>"
	for _, c := range []struct {
		name    string
		src     string
		maxItem int64
		line    int
		is      error
		msg     string
	}{
		{"billion laughs", bomb, 0, 6, ErrDTD, "declares a document type"},
		{"external entity", xxe, 0, 2, ErrDTD, "read files on this machine"},
		{"undeclared entity", head + "<item><title>&xxe;</title></item></channel></rss>", 0, 4, nil, "invalid character entity &xxe;"},
		{"item over the limit", big, 1 << 20, 4, ErrItemTooLarge, `larger than 1 MB ("big", post 7)`},
		{"other encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><rss></rss>`, 0, 1, nil, "WordPress exports are UTF-8"},
		{"cut short", head + "<item><title>a</title>", 0, 4, nil, "unexpected EOF"},
		{"empty", "", 0, 0, ErrNotWXR, "no <rss> element"},
		{"html", "<html><body>404</body></html>", 0, 1, ErrNotWXR, "starts with <html>"},
		{"unknown version", strings.Replace(head, ">1.2<", ">9.9<", 1) + "</channel></rss>", 0, 3, ErrNotWXR, `WXR version "9.9"`},
		{"bad number", head + "<item><wp:post_id>12a</wp:post_id></item></channel></rss>", 0, 4, nil, `<post_id> holds "12a", not a number`},
		{"element in text", head + "<item><title>a<b>c</b></title></item></channel></rss>", 0, 4, nil, "<b> inside <title>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := readAll(strings.NewReader(c.src), c.maxItem)
			checkError(t, err, c.line, c.is, c.msg)
			if strings.Contains(err.Error(), "root:") || len(e.items) > 0 {
				t.Errorf("read %d items: %v", len(e.items), err)
			}
		})
	}
}

// TestRepairUTF8: invalid UTF-8 is read as U+FFFD, byte by byte, and
// the lines where it was are given with the record they end, whatever
// way the reads cut the file; valid text passes untouched.
func TestRepairUTF8(t *testing.T) {
	src := head + "<wp:author><wp:author_login>a\xc3</wp:author_login></wp:author>\n" +
		"<item><title>خبر \xff\xfeجديد</title>\n<wp:post_id>1</wp:post_id>\n<content:encoded><![CDATA[نص\n\xe2\x82 سليم \xd8]]></content:encoded></item>\n" +
		"<item><title>سليم تماما 💫</title></item>\n</channel></rss>\xf0\x9f"
	for _, c := range []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"byte by byte", iotest.OneByteReader},
		{"half reads", iotest.HalfReader},
	} {
		t.Run(c.name, func(t *testing.T) {
			rd := NewReader(c.wrap(strings.NewReader(src)), 0)
			var got []string
			for {
				rec, err := rd.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				switch v := rec.(type) {
				case *Author:
					got = append(got, fmt.Sprintf("author %q %v", v.Login, rd.Repaired()))
				case *Item:
					got = append(got, fmt.Sprintf("item %q %q %v", v.Title, v.Content, rd.Repaired()))
				}
			}
			want := []string{
				"author \"a\uFFFD\" [4]",
				"item \"خبر \uFFFD\uFFFDجديد\" \"نص\\n\uFFFD\uFFFD سليم \uFFFD\" [5 8]",
				`item "سليم تماما 💫" "" []`,
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestConstantMemory: items are handed over one by one; the reader keeps
// none of them, so a long export needs no more memory than its largest
// item. An export of 20,000 items is read without holding them.
func TestStream(t *testing.T) {
	pr, pw := io.Pipe()
	const n = 20000
	go func() {
		var b bytes.Buffer
		b.WriteString(head)
		for i := range n {
			b.WriteString("<item><title>خبر</title><wp:post_type>post</wp:post_type><wp:post_id>")
			b.WriteString(strings.Repeat("1", 1+i%5))
			b.WriteString("</wp:post_id></item>\n")
			if b.Len() > 32<<10 {
				pw.Write(b.Bytes())
				b.Reset()
			}
		}
		b.WriteString("</channel></rss>")
		pw.Write(b.Bytes())
		pw.Close()
	}()
	rd := NewReader(pr, 0)
	got := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rec.(*Item); ok {
			got++
		}
	}
	if got != n {
		t.Errorf("%d items, want %d", got, n)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(head + "<item><title>a</title><wp:comment><wp:comment_id>1</wp:comment_id></wp:comment></item></channel></rss>")
	f.Add("<rss><channel></channel></rss>")
	f.Fuzz(func(t *testing.T, src string) {
		rd := NewReader(strings.NewReader(src), 1<<16)
		for range 1000 {
			if _, err := rd.Next(); err != nil {
				var e *Error
				if err != io.EOF && !errors.As(err, &e) {
					t.Fatalf("error %v is not an *Error", err)
				}
				return
			}
		}
	})
}

// repeat is n bytes of s over and over, never all in memory.
type repeat struct {
	s string
	n int64
	i int
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	w := 0
	for w < len(p) && r.n > 0 {
		c := copy(p[w:], r.s[r.i:])
		if int64(c) > r.n {
			c = int(r.n)
		}
		w += c
		r.n -= int64(c)
		r.i = (r.i + c) % len(r.s)
	}
	return w, nil
}

// TestHundredMegabytePost: a 100 MB post is refused with a message as
// soon as it passes the limit (8 MB here, to keep the test quick; the
// default is below 100 MB), without reading the rest of it.
func TestHundredMegabytePost(t *testing.T) {
	if DefaultMaxItem >= 100<<20 {
		t.Fatalf("the default limit %d lets a 100 MB post through", DefaultMaxItem)
	}
	src := io.MultiReader(strings.NewReader(head+"<item><title>huge</title><wp:post_id>9</wp:post_id><content:encoded><![CDATA["),
		&repeat{s: "نص طويل جدا ", n: 100 << 20}, strings.NewReader("]]></content:encoded></item></channel></rss>"))
	_, err := readAll(src, 8<<20)
	checkError(t, err, 4, ErrItemTooLarge, `an item is larger than 8 MB ("huge", post 9): refused`)
}
