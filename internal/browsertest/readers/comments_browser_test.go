package readers

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/news"
)

// TestCommentsInTheBrowser: with JavaScript a reader posts without a
// reload and is told the comment awaits moderation; a comment approved
// elsewhere appears on an open page by itself; a reply opens in place.
func TestCommentsInTheBrowser(t *testing.T) {
	t.Parallel() // see TestBrowser
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	apptest.CommentReady(n)
	ctx := context.Background()
	a := apptest.FirstPublished(t, n.Store)
	page := n.Base + "/comments/" + strconv.FormatInt(a.ID, 10)

	tab := browsertest.NewTab(t, browser)
	browsertest.Browse(t, tab, "open the comments", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#comment-form")))
	browsertest.Browse(t, tab, "write and post a comment",
		chromedp.SendKeys(chromedp.CSS("#c-name"), "ليلى"),
		chromedp.SendKeys(chromedp.CSS("#c-body"), "تعليق من المتصفح <b>بلا</b> إعادة تحميل"),
		chromedp.Click(chromedp.CSS("#comment-form button[type=submit]")))
	apptest.WaitFor(t, "the pending notice", func() bool {
		return strings.Contains(browsertest.Eval[string](t, tab, `document.querySelector(".form-status").textContent`), "تعليقك بانتظار المراجعة")
	})
	if browsertest.Eval[string](t, tab, `location.pathname`) != "/comments/"+strconv.FormatInt(a.ID, 10) || browsertest.Eval[string](t, tab, `document.querySelector("#c-body").value`) != "" {
		t.Error("posting reloaded the page or kept the text")
	}
	// A moderator approves it: it arrives on the open page, as text.
	ids := apptest.CommentIDs(t, n, news.CommentPending)
	if len(ids) != 1 {
		t.Fatalf("pending: %v", ids)
	}
	apptest.WaitFor(t, "the page to follow the comments", func() bool { return n.Live.Clients("comments/"+strconv.FormatInt(a.ID, 10)) > 0 })
	if _, err := n.Store.ModerateComments(ctx, ids, news.CommentApproved, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	sel := "#c" + strconv.FormatInt(ids[0], 10)
	apptest.WaitFor(t, "the approved comment to appear live", func() bool {
		return browsertest.Eval[bool](t, tab, `!!document.querySelector(`+strconv.Quote(sel)+`)`)
	})
	if got := browsertest.Eval[string](t, tab, `document.querySelector(`+strconv.Quote(sel+" .c-body")+`).textContent`); got != "تعليق من المتصفح <b>بلا</b> إعادة تحميل" {
		t.Errorf("live comment text %q", got)
	}
	if browsertest.Eval[int](t, tab, `document.querySelectorAll(".c-body b").length`) != 0 {
		t.Error("markup in a comment became markup")
	}
	// Reply in place.
	browsertest.Browse(t, tab, "reply", chromedp.Click(chromedp.CSS(sel+" .c-reply")))
	if !browsertest.Eval[bool](t, tab, `!!document.querySelector(`+strconv.Quote(sel+" #comment-form")+`)`) ||
		browsertest.Eval[string](t, tab, `document.querySelector("#comment-form input[name=parent_id]").value`) != strconv.FormatInt(ids[0], 10) {
		t.Error("the reply form did not open under the comment")
	}
	// Report it: asked first, then sent, then taken back.
	reports := func() int {
		c, err := n.Store.GetComment(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		return c.Reports
	}
	browsertest.Within(t, tab, "ask to report it",
		chromedp.Click(chromedp.CSS(sel+" .c-report")),
		chromedp.WaitVisible(chromedp.CSS(sel+" .c-report-ask button")))
	if got := reports(); got != 0 {
		t.Fatalf("one click reported the comment (%d reports)", got)
	}
	browsertest.Within(t, tab, "confirm the report", chromedp.Click(chromedp.CSS(sel+" .c-report-ask button:first-of-type")))
	apptest.WaitFor(t, "the report to be sent", func() bool { return reports() == 1 })
	apptest.WaitFor(t, "the page to offer the undo", func() bool {
		return strings.Contains(browsertest.Eval[string](t, tab, `document.querySelector(`+strconv.Quote(sel+" .c-report-ask")+`).textContent`), "تراجع عن البلاغ")
	})
	browsertest.Within(t, tab, "take it back", chromedp.Click(chromedp.CSS(sel+" .c-report-ask button")))
	apptest.WaitFor(t, "the report to be taken back", func() bool { return reports() == 0 })
	apptest.WaitFor(t, "the report button to come back", func() bool {
		return browsertest.Eval[bool](t, tab, `!document.querySelector(`+strconv.Quote(sel+" .c-report-ask")+`) && !!document.querySelector(`+strconv.Quote(sel+" .c-report")+`).offsetParent`)
	})
}

// TestModerationKeysOnAnArabicLayout: the queue's shortcuts go by the
// key's place, so a moderator typing on an Arabic layout (where the key of
// j types «ت», of x «ء», of a «ش») moves, ticks and approves.
func TestModerationKeysOnAnArabicLayout(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	apptest.Login(t, n, auth.RoleModerator)
	ctx := context.Background()
	a := apptest.FirstPublished(t, n.Store)
	var ids []int64
	for _, body := range []string{"أول تعليق للوحة", "ثاني تعليق للوحة"} {
		c := &news.Comment{ArticleID: a.ID, Status: news.CommentPending, Name: "قارئ", Body: body, Identity: "id-" + body, IPHash: "ip", BodyHash: "h-" + body}
		if err := n.Store.CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	tab := browsertest.NewTab(t, browser)
	browsertest.Login(t, tab, n.Base, auth.RoleModerator)
	browsertest.Within(t, tab, "open the queue", chromedp.Navigate(n.Base+"/admin/comments"), chromedp.WaitVisible(chromedp.CSS(`#moderation`)))
	press := func(key, code string) {
		t.Helper()
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := chromedp.Call(tab, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: key, Code: code, Text: key}); err != nil {
				t.Fatalf("press %s (%s): %v", key, code, err)
			}
		}
	}
	selected := func() string {
		return browsertest.Eval[string](t, tab, `document.querySelector("#moderation .bulk .selected").textContent`)
	}
	if got := selected(); got != "لم تحدد أي تعليق." {
		t.Errorf("the bulk bar says %q with nothing ticked", got)
	}
	press("ت", "KeyJ") // j: the first comment in the queue
	first := browsertest.Eval[string](t, tab, `document.activeElement.id`)
	press("ء", "KeyX") // x: tick it
	if !browsertest.Eval[bool](t, tab, `document.activeElement.querySelector("input[type=checkbox]").checked`) {
		t.Fatalf("x on an Arabic layout did not tick %s", first)
	}
	if got := selected(); got != "حدّدت تعليقًا واحدًا." {
		t.Errorf("the bulk bar says %q with one comment ticked", got)
	}
	otherBox := `#moderation input[name=id]:not(:checked)`
	browsertest.Within(t, tab, "tick another", chromedp.Click(chromedp.CSS(otherBox)))
	if got := selected(); got != "حدّدت تعليقين." {
		t.Errorf("the bulk bar says %q with two comments ticked", got)
	}
	browsertest.Within(t, tab, "untick it", chromedp.Click(chromedp.CSS(`#moderation .queue-item:not(#`+first+`) input[name=id]`)))
	press("ش", "KeyA") // a: approve what is ticked
	id, _ := strconv.ParseInt(strings.TrimPrefix(first, "q"), 10, 64)
	apptest.WaitFor(t, "the ticked comment to be approved", func() bool {
		c, err := n.Store.GetComment(ctx, id)
		return err == nil && c.Status == news.CommentApproved
	})
	other := ids[0]
	if other == id {
		other = ids[1]
	}
	if c, _ := n.Store.GetComment(ctx, other); c.Status != news.CommentPending {
		t.Errorf("the other comment became %s", c.Status)
	}
}
