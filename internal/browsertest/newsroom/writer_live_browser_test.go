package newsroom

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/news"
	"khabar/internal/store"
)

// TestBrowserWriterLiveBlogLink: the block menu's last entry links a live
// blog. Its search lists the live blogs still running before anything is
// typed (an ended one is not offered), the choice is made from the
// keyboard, and the article stores a related block naming the blog.
func TestBrowserWriterLiveBlogLink(t *testing.T) {
	t.Parallel()
	n, tab := browsertest.SignedIn(t, auth.RoleEditor)
	ctx := context.Background()
	list, err := n.Store.ListArticles(ctx, store.AdminFilter{Status: news.StatusPublished, Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	var picked []news.Article
	for _, a := range list {
		if !a.Live && len(picked) < 2 {
			picked = append(picked, a)
		}
	}
	if len(picked) < 2 {
		t.Fatalf("the demo has %d published articles that are not live blogs", len(picked))
	}
	blog, ended := picked[0], picked[1]
	for _, c := range []struct {
		id   int64
		open bool
	}{{blog.ID, true}, {ended.ID, true}, {ended.ID, false}} {
		if err := n.Store.SetLiveCoverage(ctx, c.id, c.open); err != nil {
			t.Fatal(err)
		}
	}
	// What the search must offer: every running blog, the demo's too,
	// the newest first; the one just opened among them, the ended one not.
	running, err := n.Store.ListArticles(ctx, store.AdminFilter{Status: news.StatusPublished, Live: true, Order: store.ByPublished})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, a := range running {
		want = append(want, a.Headline)
	}
	if !slices.Contains(want, blog.Headline) || slices.Contains(want, ended.Headline) {
		t.Fatalf("running blogs %q: want %q in, %q out", want, blog.Headline, ended.Headline)
	}

	browsertest.Within(t, tab, "open a new article", chromedp.Navigate(n.Base+"/admin/articles/new"))
	browsertest.PageLoaded(t, tab, "/admin/articles/new")
	waitJS(t, tab, "the writing surface", `!!document.querySelector("#writer:not([hidden]) .w-text")`)
	browsertest.Within(t, tab, "write the headline", chromedp.Focus(chromedp.CSS(`textarea[name=headline]`)))
	write(t, tab, "تحليل: ماذا بعد الانتخابات؟")
	browsertest.Within(t, tab, "into the body", chromedp.Focus(chromedp.CSS(`.w-text`)))
	press(t, tab, "open the block menu", "/")
	waitJS(t, tab, "the block menu", `!!document.querySelector(".w-popup [role=listbox]")`)
	press(t, tab, "to the last entry", kb.End)
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".w-popup [aria-selected=true]").textContent`); got != "رابط تغطية مباشرة" {
		t.Fatalf("the block menu's last entry is %q", got)
	}
	enter(t, tab, "choose the live-blog link")
	waitJS(t, tab, "the live-blog block", `!!document.querySelector(".w-text .w-related button")`)
	browsertest.Within(t, tab, "to its search", chromedp.Focus(chromedp.CSS(`.w-text .w-related button`)))
	enter(t, tab, "open the search")
	waitJS(t, tab, "the running live blogs", `document.querySelectorAll(".w-popup [role=option]").length > 0`)
	if got := browsertest.Eval[string](t, tab, `[...document.querySelectorAll(".w-popup [role=option]")].map(o => o.textContent).join(" | ")`); got != strings.Join(want, " | ") {
		t.Fatalf("offered %q, want the running blogs %q", got, want)
	}
	enter(t, tab, "link the first")
	waitJS(t, tab, "the block names the blog", `document.querySelector(".w-text .w-related").textContent.includes(`+strconv.Quote(running[0].Headline)+`)`)

	browsertest.Within(t, tab, "a section, and to save",
		chromedp.SetValue(chromedp.CSS(`select[name=section]`), strconv.FormatInt(blog.SectionID, 10)),
		chromedp.Focus(chromedp.CSS(`button[name=action][value=save]`)))
	enter(t, tab, "save")
	browsertest.Within(t, tab, "saved", chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	saved := shownArticle(t, tab, n.Store)
	if len(saved.Body) != 1 || saved.Body[0].Type != news.BlockRelated || saved.Body[0].ArticleID != running[0].ID {
		t.Errorf("stored blocks %+v, want one related block naming %d", saved.Body, running[0].ID)
	}
}
