package app

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"khabar/internal/news"
)

// TestCommentsInTheBrowser: with JavaScript a reader posts without a
// reload and is told the comment awaits moderation; a comment approved
// elsewhere appears on an open page by itself; a reply opens in place.
func TestCommentsInTheBrowser(t *testing.T) {
	t.Parallel() // see TestBrowser
	browser := startBrowser(t)
	n := startNode(t, "")
	commentReady(n)
	ctx := context.Background()
	a := firstPublished(t, n.Store)
	page := n.base + "/comments/" + strconv.FormatInt(a.ID, 10)

	tab := newTab(t, browser)
	browse(t, tab, "open the comments", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#comment-form")))
	browse(t, tab, "write and post a comment",
		chromedp.SendKeys(chromedp.CSS("#c-name"), "ليلى"),
		chromedp.SendKeys(chromedp.CSS("#c-body"), "تعليق من المتصفح <b>بلا</b> إعادة تحميل"),
		chromedp.Click(chromedp.CSS("#comment-form button[type=submit]")))
	waitFor(t, "the pending notice", func() bool {
		return strings.Contains(eval[string](t, tab, `document.querySelector(".form-status").textContent`), "تعليقك بانتظار المراجعة")
	})
	if eval[string](t, tab, `location.pathname`) != "/comments/"+strconv.FormatInt(a.ID, 10) || eval[string](t, tab, `document.querySelector("#c-body").value`) != "" {
		t.Error("posting reloaded the page or kept the text")
	}
	// A moderator approves it: it arrives on the open page, as text.
	ids := commentIDs(t, n, news.CommentPending)
	if len(ids) != 1 {
		t.Fatalf("pending: %v", ids)
	}
	waitFor(t, "the page to follow the comments", func() bool { return n.Live.Clients("comments/"+strconv.FormatInt(a.ID, 10)) > 0 })
	if _, err := n.Store.ModerateComments(ctx, ids, news.CommentApproved, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	sel := "#c" + strconv.FormatInt(ids[0], 10)
	waitFor(t, "the approved comment to appear live", func() bool {
		return eval[bool](t, tab, `!!document.querySelector(`+strconv.Quote(sel)+`)`)
	})
	if got := eval[string](t, tab, `document.querySelector(`+strconv.Quote(sel+" .c-body")+`).textContent`); got != "تعليق من المتصفح <b>بلا</b> إعادة تحميل" {
		t.Errorf("live comment text %q", got)
	}
	if eval[int](t, tab, `document.querySelectorAll(".c-body b").length`) != 0 {
		t.Error("markup in a comment became markup")
	}
	// Reply in place.
	browse(t, tab, "reply", chromedp.Click(chromedp.CSS(sel+" .c-reply")))
	if !eval[bool](t, tab, `!!document.querySelector(`+strconv.Quote(sel+" #comment-form")+`)`) ||
		eval[string](t, tab, `document.querySelector("#comment-form input[name=parent_id]").value`) != strconv.FormatInt(ids[0], 10) {
		t.Error("the reply form did not open under the comment")
	}
}
