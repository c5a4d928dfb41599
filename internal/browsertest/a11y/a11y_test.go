package a11y

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/news"
	"khabar/internal/wire"
)

// TestAccessibility runs axe-core on the reader's and the newsroom's
// pages, light and dark, and walks some of them by keyboard. It is a
// package of its own because it is the longest browser test: beside the
// others in one package, a loaded CI machine took that package to 425 s
// of go test's 600.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	n, browser, article, articlePath := browsertest.ReaderPages(t)
	sectionPath := "/section/" + article.Section.Slug
	axe := browsertest.Axe(t)
	tag := "/tag/" + url.PathEscape(article.Tags[0].Slug)
	author := "/author/" + article.Authors[0].Slug
	search := "/search?q=" + url.QueryEscape(article.Headline)
	comments := "/comments/" + strconv.FormatInt(article.ID, 10)
	live := apptest.BestArticle(t, n.Store, "covered live", func(a, best *news.Article) bool { return a.Live })
	liveID := strconv.FormatInt(live.ID, 10)
	// Each page has tabs of its own, so a loaded machine's slowness is
	// bounded per page, not summed over forty of them in one tab's life.
	// Colours are checked in a tab of their own: switching the colour
	// scheme back and forth in one tab sometimes stalls Chromium for a
	// minute.
	reader := []string{"/", articlePath, comments, news.ArticlePath(live), "/liveblog/" + liveID, sectionPath, tag, author, search,
		"/search?q=zzzqqq", "/no/such/page", "/admin/login"}
	for _, path := range reader {
		t.Run(path, func(t *testing.T) {
			browsertest.CheckAxe(t, browsertest.NewTab(t, browser), n.Base+path, axe, "")
			dark := browsertest.NewTab(t, browser)
			if _, err := chromedp.Call(dark, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
				t.Fatal(err)
			}
			browsertest.CheckAxe(t, dark, n.Base+path, axe, "color-contrast")
		})
	}
	t.Run("keyboard on the reader's pages", func(t *testing.T) {
		tab := browsertest.NewTab(t, browser)
		browsertest.CheckKeyboard(t, tab, n.Base+"/")
		browsertest.CheckKeyboard(t, tab, n.Base+articlePath)
	})

	// Tabs share the browser's cookies: one sign-in serves the rest.
	browsertest.Login(t, browsertest.NewTab(t, browser), n.Base, auth.RoleAdmin)
	id := strconv.FormatInt(article.ID, 10)
	wired := wire.Item{Format: wire.FormatNinjs, GUID: "urn:a11y:1", Version: 2, Provider: "وكالة المثال", Headline: "خبر من الوكالة",
		Lead: "مقدمة", BodyHTML: "<p>نص</p><h2>عنوان</h2><p>فقرة</p>", Status: wire.Withheld, EdNote: "لا تنشروا قبل التأكيد",
		Embargoed: time.Now().Add(48 * time.Hour), Urgency: 1, Language: "ar", Subjects: []wire.Subject{{Name: "سياسة"}}}
	wid, _, err := n.Store.AddWire(context.Background(), wired, "folder")
	if err != nil {
		t.Fatal(err)
	}
	admin := []string{"/admin/wires", "/admin/wires/" + strconv.FormatInt(wid, 10), "/admin/wires/agencies", "/admin/", "/admin/articles/" + id, "/admin/articles/" + id + "/preview", "/admin/articles/" + id + "/revisions",
		"/admin/articles/new", "/admin/articles/" + liveID + "/liveblog", "/admin/media", "/admin/ticker", "/admin/settings", "/admin/sections", "/admin/authors",
		"/admin/comments", "/admin/comments/bans", "/admin/audit", "/admin/status", "/admin/alerts", "/admin/tokens", "/admin/users", "/admin/account"}
	for _, path := range admin {
		t.Run(path, func(t *testing.T) { browsertest.CheckAxe(t, browsertest.NewTab(t, browser), n.Base+path, axe, "") })
	}
	t.Run("keyboard on the newsroom's dashboard", func(t *testing.T) {
		browsertest.CheckKeyboard(t, browsertest.NewTab(t, browser), n.Base+"/admin/")
	})
}
