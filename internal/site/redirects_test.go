package site

import (
	"context"
	"html"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"khabar/internal/importer"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/wxr"
)

// TestImportedLinks imports the theme unit test data, then asks for every
// link the export holds: each answers 301, and the new address a page
// showing the post's title. A private post's address stays 404.
func TestImportedLinks(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "wxr")
	if _, err := os.Stat(filepath.Join(dir, "themeunittestdata.wordpress.xml")); err != nil {
		t.Skipf("the WordPress fixtures are not there (%s): %v", dir, err)
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) { testImportedLinks(t, st, dir) })
}

func testImportedLinks(t *testing.T, st *store.Store, dir string) {
	f := newFixture(t, st)
	ctx := context.Background()
	for _, name := range []string{"themeunittestdata.wordpress.xml", "small-export.xml"} {
		if _, err := importer.WXR(ctx, st, filepath.Join(dir, name), importer.WXROptions{}); err != nil {
			t.Fatal(err)
		}
	}
	f.reload(t)
	checked := 0
	for _, it := range exportItems(t, filepath.Join(dir, "themeunittestdata.wordpress.xml")) {
		if it.PostType != "post" && it.PostType != "page" || it.Status != "publish" {
			continue
		}
		u, err := url.Parse(it.Link)
		if err != nil {
			t.Fatal(err)
		}
		// A path starting with two slashes would be read as a host.
		uri := "/" + strings.TrimLeft(u.RequestURI(), "/")
		for _, path := range []string{uri, strings.TrimSuffix(uri, "/")} {
			r := f.get(path)
			loc := r.Header.Get("Location")
			if r.Status != 301 || !strings.HasPrefix(loc, "http://khabar.test/") {
				t.Errorf("%s (%q): %d to %q, want 301 to the new address", path, it.Title, r.Status, loc)
				continue
			}
			page := f.get(strings.TrimPrefix(loc, "http://khabar.test"))
			if page.Status != 200 {
				t.Errorf("%s → %s: %d", path, loc, page.Status)
				continue
			}
			// Titles are cut to what headlines and page titles hold.
			title := html.EscapeString(strings.TrimSpace(it.Title))
			if n := 40; utf8.RuneCountInString(title) > n {
				title = string([]rune(title)[:n])
			}
			if title != "" && !strings.Contains(page.Body, title) {
				t.Errorf("%s → %s does not show %q", path, loc, title)
			}
			checked++
		}
		if r := f.get("/?p=" + itoa(it.PostID)); r.Status != 301 {
			t.Errorf("/?p=%d: %d", it.PostID, r.Status)
		}
	}
	if checked < 150 {
		t.Errorf("only %d links checked", checked)
	}
	// small-export.xml's private post.
	if r := f.get("/?p=13"); r.Status != 404 {
		t.Errorf("the private post's address: %d, want 404", r.Status)
	}
	for _, path := range []string{"/feed/", "/category/markup/", "/tag/alignment/", "/author/themedemos/"} {
		if r := f.get(path); r.Status != 301 {
			t.Errorf("%s: %d, want 301", path, r.Status)
		}
	}

	// Arabic slugs, encoded either way, and the sizes WordPress made of
	// an uploaded picture.
	for from, to := range map[string]string{"/2020/01/15/خبر-عاجل/": "/page/about", "/wp-content/uploads/2020/01/صورة.jpg": "/static/x.jpg"} {
		u, _ := url.Parse(from)
		if _, err := st.PutImportRedirect(ctx, u.Path, to); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ path, want string }{
		{"/2020/01/15/%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84/", "/page/about"},
		{"/2020/01/15/%d8%ae%d8%a8%d8%b1-%d8%b9%d8%a7%d8%ac%d9%84", "/page/about"},
		{"/2020/01/15/" + url.PathEscape("خبر-عاجل"), "/page/about"},
		{"/wp-content/uploads/2020/01/" + url.PathEscape("صورة") + "-300x200.jpg", "/static/x.jpg"},
		{"/wp-content/uploads/2020/01/" + url.PathEscape("صورة") + "-scaled.jpg", "/static/x.jpg"},
		{"/wp-content/uploads/2020/01/" + url.PathEscape("صورة") + "-1024x768-rotated.jpg", "/static/x.jpg"},
	} {
		if r := f.get(c.path); r.Status != 301 || r.Header.Get("Location") != "http://khabar.test"+c.want {
			t.Errorf("%s: %d to %q, want 301 to %s", c.path, r.Status, r.Header.Get("Location"), c.want)
		}
	}
	if r := f.get("/wp-content/uploads/2020/01/other-300x200.jpg"); r.Status != 404 {
		t.Errorf("an unknown upload: %d, want 404", r.Status)
	}
	if r := f.get("/?s=query"); r.Status != 200 {
		t.Errorf("the front page with another query: %d", r.Status)
	}
}

func exportItems(t *testing.T, path string) []*wxr.Item {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rd := wxr.NewReader(fh, 0)
	var items []*wxr.Item
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return items
		}
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := rec.(*wxr.Item); ok {
			items = append(items, it)
		}
	}
}
