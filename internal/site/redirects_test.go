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
	"khabar/internal/news"
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

// deepExport files a post four categories deep: أخبار > عربية > تونس > sfax,
// slugs percent-encoded as WordPress writes them.
const deepExport = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>جريدة</title><link>https://jarida.example</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:category><wp:category_nicename>%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1</wp:category_nicename><wp:cat_name>أخبار</wp:cat_name></wp:category>
<wp:category><wp:category_nicename>%d8%b9%d8%b1%d8%a8%d9%8a%d8%a9</wp:category_nicename><wp:category_parent>%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1</wp:category_parent><wp:cat_name>عربية</wp:cat_name></wp:category>
<wp:category><wp:category_nicename>%d8%aa%d9%88%d9%86%d8%b3</wp:category_nicename><wp:category_parent>%d8%b9%d8%b1%d8%a8%d9%8a%d8%a9</wp:category_parent><wp:cat_name>تونس</wp:cat_name></wp:category>
<wp:category><wp:category_nicename>sfax</wp:category_nicename><wp:category_parent>%d8%aa%d9%88%d9%86%d8%b3</wp:category_parent><wp:cat_name>صفاقس</wp:cat_name></wp:category>
<item><title>ميناء صفاقس</title><link>https://jarida.example/?p=7</link><content:encoded>نص</content:encoded>
<wp:post_id>7</wp:post_id><wp:post_date_gmt>2024-03-05 09:00:00</wp:post_date_gmt><wp:post_name>port</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="sfax">صفاقس</category></item>
</channel></rss>`

// TestDeepCategoryLinks: a category's WordPress address under all its
// ancestors, however deep, with or without its trailing slash and with
// its Arabic encoded in either case, answers 301 to the section the
// import made of it (Khabar keeps one level of nesting), and its feed to
// the section's feed.
func TestDeepCategoryLinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep.xml")
	if err := os.WriteFile(path, []byte(deepExport), 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		if _, err := importer.WXR(context.Background(), st, path, importer.WXROptions{}); err != nil {
			t.Fatal(err)
		}
		f.reload(t)
		akhbar, arabiya, tunis := url.PathEscape("أخبار"), url.PathEscape("عربية"), url.PathEscape("تونس")
		for _, c := range []struct{ path, want string }{
			{"/category/" + akhbar + "/" + arabiya + "/" + tunis + "/", news.ListPath(news.ListSection, "تونس")},
			{"/category/" + strings.ToLower(akhbar+"/"+arabiya+"/"+tunis), news.ListPath(news.ListSection, "تونس")},
			{"/category/" + akhbar + "/" + arabiya + "/" + tunis + "/sfax/", news.ListPath(news.ListSection, "sfax")},
			{"/category/" + akhbar + "/" + arabiya + "/" + tunis + "/sfax", news.ListPath(news.ListSection, "sfax")},
			{"/category/" + tunis + "/sfax/", news.ListPath(news.ListSection, "sfax")},
			{"/category/sfax/", news.ListPath(news.ListSection, "sfax")},
			{"/category/" + akhbar + "/" + arabiya + "/", news.ListPath(news.ListSection, "عربية")},
			{"/category/" + akhbar + "/" + arabiya + "/" + tunis + "/sfax/feed/", news.FeedPath(news.ListSection, "sfax", "rss.xml")},
		} {
			r := f.get(c.path)
			if loc := r.Header.Get("Location"); r.Status != 301 || loc != "http://khabar.test"+c.want {
				t.Errorf("%s: %d to %q, want 301 to %s", c.path, r.Status, loc, c.want)
				continue
			}
			if page := f.get(c.want); page.Status != 200 {
				t.Errorf("%s → %s: %d", c.path, c.want, page.Status)
			}
		}
		if page := f.get(news.ListPath(news.ListSection, "sfax")); !strings.Contains(page.Body, "ميناء صفاقس") {
			t.Errorf("the section does not show the post:\n%.500s", page.Body)
		}
		if r := f.get("/category/" + arabiya + "/" + akhbar + "/" + tunis + "/"); r.Status != 404 {
			t.Errorf("a chain WordPress never had: %d, want 404", r.Status)
		}
	})
}
