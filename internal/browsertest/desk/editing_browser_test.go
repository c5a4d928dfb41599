package desk

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/news"
)

// keptKey is the JavaScript expression of the key under which the editor
// page keeps a's unsaved work: per user, per article.
func keptKey(a *news.Article) string {
	return `"khabar:unsaved:" + document.querySelector("form.article-form").dataset.user + ":/admin/articles/` + apptest.ID(a) + `"`
}

// openArticle opens a's form in a fresh browser profile logged in as
// role, and waits for it.
func openArticle(t *testing.T, browser context.Context, n *apptest.Node, role auth.Role, a *news.Article) context.Context {
	t.Helper()
	tab := browsertest.NewTab(t, browser, chromedp.WithNewBrowserContext())
	browsertest.Login(t, tab, n.Base, role)
	browsertest.Browse(t, tab, "open the article", chromedp.Navigate(n.Base+"/admin/articles/"+apptest.ID(a)), chromedp.WaitVisible(chromedp.CSS(`textarea[name=lead]`)))
	return tab
}

// acceptDialogs accepts every dialog the tab opens (a "leave this
// page?" above all) and tells each one's type.
func acceptDialogs(t *testing.T, tab context.Context) <-chan page.DialogType {
	asked := make(chan page.DialogType, 8)
	go func() {
		for ev, err := range chromedp.Events(tab, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			select {
			case asked <- ev.Type:
			default:
			}
			go chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return asked
}

// pollJS waits until the expression is true in the tab.
func pollJS(t *testing.T, tab context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("%s: %v (waited for %s)", what, err, expr)
	}
}

// TestBrowserAutosaveAndLock: in Chromium, typing in a draft autosaves it
// (taking its edit lock) and the form quotes the new version; the tag
// field suggests known tags; an editor
// who opens the draft in another browser sees who holds it and takes
// over, and the writer's page, on its next heartbeat, says so and stops
// saving, keeping what was typed.
func TestBrowserAutosaveAndLock(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	_, wid := apptest.LoginAs(t, n, auth.RoleWriter)
	apptest.LoginAs(t, n, auth.RoleEditor)
	a := apptest.ArticleIn(t, n, news.StatusDraft, wid)
	page := n.Base + "/admin/articles/" + apptest.ID(a)

	writer := openArticle(t, browser, n, auth.RoleWriter, a)
	browsertest.Browse(t, writer, "type", chromedp.SendKeys(chromedp.CSS(`textarea[name=headline]`), " بعد التعديل"))
	pollJS(t, writer, "autosave", `document.getElementById("autosave").textContent.includes("تلقائيًا")`)
	// The round trip as the browser timed it, for bench/README.md.
	t.Logf("autosave round trip in Chromium: %.1f ms", browsertest.Eval[float64](t, writer,
		`performance.getEntriesByType("resource").filter(e => e.name.endsWith("/autosave")).map(e => e.duration).pop() || -1`))
	got := n.Article(t, a.ID)
	if !strings.Contains(got.Headline, "بعد التعديل") || got.Version != a.Version+1 {
		t.Fatalf("after autosave: %q v%d", got.Headline, got.Version)
	}
	if v := browsertest.Eval[string](t, writer, `document.querySelector("form.article-form input[name=version]").value`); v != strconv.FormatInt(got.Version, 10) {
		t.Errorf("the form quotes version %s after the autosave, want %d", v, got.Version)
	}

	// The tag field suggests known tags, whatever the hamza typed.
	tagged := apptest.ArticleIn(t, n, news.StatusDraft, 0)
	tagged.Tags = []news.Tag{{Name: "أوكسجين طبي"}}
	if err := n.Store.UpdateArticle(context.Background(), tagged); err != nil {
		t.Fatal(err)
	}
	browsertest.Browse(t, writer, "type a tag", chromedp.SendKeys(chromedp.CSS(`input[name=tags]`), "اوكس"))
	pollJS(t, writer, "tag suggestions", `[...document.querySelectorAll("#tag-suggestions option")].some(o => o.value === "أوكسجين طبي")`)

	editor := browsertest.NewTab(t, browser, chromedp.WithNewBrowserContext())
	browsertest.Login(t, editor, n.Base, auth.RoleEditor)
	browsertest.Browse(t, editor, "editor opens the draft", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#editing.locked`)))
	if txt := browsertest.Eval[string](t, editor, `document.getElementById("editing").textContent`); !strings.Contains(txt, "مستخدم writer") {
		t.Errorf("lock notice: %q", txt)
	}
	browsertest.Browse(t, editor, "take over", chromedp.Click(chromedp.CSS(`#editing form button`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if browsertest.Eval[bool](t, editor, `!!document.querySelector("#editing.locked")`) {
		t.Error("the editor still sees the lock after taking over")
	}

	// The writer's page hears at its next heartbeat (sent at once when the
	// window gets the focus back) and stops autosaving.
	browsertest.Eval[bool](t, writer, `window.dispatchEvent(new Event("focus")), true`)
	pollJS(t, writer, "writer told of the takeover", `!!document.querySelector("#editing.locked") && document.getElementById("editing").textContent.includes("مستخدم editor")`)
	before := n.Article(t, a.ID).Version
	browsertest.Browse(t, writer, "type after the takeover", chromedp.SendKeys(chromedp.CSS(`textarea[name=lead]`), "نص لن يُحفظ"))
	browsertest.Browse(t, writer, "save after the takeover", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)))
	if txt := browsertest.Eval[string](t, writer, `document.querySelector("textarea[name=lead]").value`); !strings.Contains(txt, "نص لن يُحفظ") {
		t.Errorf("the refused save lost the writer's text: %q", txt)
	}
	if v := n.Article(t, a.ID).Version; v != before {
		t.Errorf("the writer's page saved after the takeover: v%d, was v%d", v, before)
	}
}

// TestBrowserKeepsUnsavedWork: when autosave cannot reach the server, the
// page keeps the work in the browser; the next visit offers it back, and
// taking the offer shows it in the form and saves it.
func TestBrowserKeepsUnsavedWork(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	_, wid := apptest.LoginAs(t, n, auth.RoleWriter)
	a := apptest.ArticleIn(t, n, news.StatusDraft, wid)
	draft := n.Base + "/admin/articles/" + apptest.ID(a)
	tab := openArticle(t, browser, n, auth.RoleWriter, a)

	block := func(on bool) {
		t.Helper()
		var patterns []*network.BlockPattern
		if on {
			patterns = []*network.BlockPattern{{URLPattern: n.Base + "/admin/articles/*", Block: true}}
		}
		if _, err := chromedp.Call(tab, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns}); err != nil {
			t.Fatal(err)
		}
	}
	block(true)
	browsertest.Browse(t, tab, "type while the server is unreachable", chromedp.SendKeys(chromedp.CSS(`textarea[name=lead]`), "فقرة كتبت والشبكة مقطوعة"))
	pollJS(t, tab, "autosave fails", `document.getElementById("autosave").classList.contains("warn")`)
	pollJS(t, tab, "work kept in the browser", `(localStorage.getItem(`+keptKey(a)+`) || "").includes("والشبكة مقطوعة")`)
	if got := n.Article(t, a.ID); strings.Contains(got.Lead, "مقطوعة") {
		t.Fatal("the blocked autosave reached the server")
	}

	// Leaving asks first (the work is not saved); the writer leaves anyway,
	// and the next visit offers the work back.
	block(false)
	asked := acceptDialogs(t, tab)
	browsertest.Browse(t, tab, "open the draft again", chromedp.Navigate(draft), chromedp.WaitVisible(chromedp.CSS(`#kept`)))
	select {
	case typ := <-asked:
		if typ != page.DialogTypeBeforeunload {
			t.Errorf("leaving asked with a %s dialog", typ)
		}
	default:
		t.Error("leaving with unsaved work did not ask first")
	}
	if lead := browsertest.Eval[string](t, tab, `document.querySelector("textarea[name=lead]").value`); strings.Contains(lead, "مقطوعة") {
		t.Fatalf("the kept work was put in the form before it was asked for: %q", lead)
	}
	browsertest.Browse(t, tab, "restore", chromedp.Click(chromedp.CSS(`#kept button`)), chromedp.WaitVisible(chromedp.CSS(`form.article-form[data-restored]`)))
	if lead := browsertest.Eval[string](t, tab, `document.querySelector("textarea[name=lead]").value`); !strings.Contains(lead, "فقرة كتبت والشبكة مقطوعة") {
		t.Fatalf("restored form: lead %q", lead)
	}
	pollJS(t, tab, "the restored work is autosaved", `document.getElementById("autosave").textContent.includes("تلقائيًا")`)
	if got := n.Article(t, a.ID); !strings.Contains(got.Lead, "فقرة كتبت والشبكة مقطوعة") {
		t.Errorf("after restoring: lead %q", got.Lead)
	}
	pollJS(t, tab, "the kept copy is dropped once saved", `localStorage.getItem(`+keptKey(a)+`) === null`)

	// A new article becomes a draft at its first autosave, and the form
	// then saves that draft rather than making a second one.
	browsertest.Browse(t, tab, "new article", chromedp.Navigate(n.Base+"/admin/articles/new"), chromedp.WaitVisible(chromedp.CSS(`textarea[name=headline]`)))
	browsertest.Browse(t, tab, "type its headline", chromedp.SendKeys(chromedp.CSS(`textarea[name=headline]`), "خبر جديد يُحفظ وحده"))
	pollJS(t, tab, "told what is missing", `document.getElementById("autosave").textContent.includes("حين تكتمل")`)
	browsertest.Browse(t, tab, "choose its section", chromedp.SetValue(chromedp.CSS(`select[name=section]`), strconv.FormatInt(a.SectionID, 10)))
	browsertest.Eval[bool](t, tab, `document.querySelector("select[name=section]").dispatchEvent(new Event("change", { bubbles: true }))`)
	pollJS(t, tab, "first autosave", `/^\/admin\/articles\/\d+$/.test(location.pathname) && document.getElementById("autosave").textContent.includes("تلقائيًا")`)
	made, err := strconv.ParseInt(strings.TrimPrefix(browsertest.Eval[string](t, tab, `location.pathname`), "/admin/articles/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Browse(t, tab, "save", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if path := browsertest.Eval[string](t, tab, `location.pathname`); path != "/admin/articles/"+strconv.FormatInt(made, 10) {
		t.Errorf("after saving the autosaved article: at %s, want article %d", path, made)
	}
	if got := n.Article(t, made); got.Headline != "خبر جديد يُحفظ وحده" || got.CreatedBy != wid {
		t.Errorf("autosaved new article: %q by %d", got.Headline, got.CreatedBy)
	}
	if _, err := n.Store.GetArticle(context.Background(), made+1); err == nil {
		t.Error("saving the autosaved new article made a second one")
	}
}

// TestBrowserAutosaveWaitsForLock: someone claims the draft between the
// writer's heartbeats, so the writer's autosave is refused for the lock;
// once they leave, the writer's page, at its next heartbeat, saves again.
func TestBrowserAutosaveWaitsForLock(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	_, wid := apptest.LoginAs(t, n, auth.RoleWriter)
	editor, _ := apptest.LoginAs(t, n, auth.RoleEditor)
	a := apptest.ArticleIn(t, n, news.StatusDraft, wid)
	tab := openArticle(t, browser, n, auth.RoleWriter, a)

	seen := apptest.Heartbeat(t, editor, a, true).Seen
	browsertest.Browse(t, tab, "type while the editor holds it", chromedp.SendKeys(chromedp.CSS(`textarea[name=lead]`), "سطر أول"))
	pollJS(t, tab, "autosave refused for the lock", `document.getElementById("autosave").textContent.includes("شخص آخر")`)
	if r := editor.Do(t, "POST", "/admin/articles/"+apptest.ID(a)+"/leave", url.Values{"seen": {strconv.FormatInt(seen, 10)}}, nil); r.Status != http.StatusNoContent {
		t.Fatalf("editor leaves: %d", r.Status)
	}
	browsertest.Eval[bool](t, tab, `window.dispatchEvent(new Event("focus")), true`)
	pollJS(t, tab, "autosave once the lock is free", `document.getElementById("autosave").textContent.includes("تلقائيًا")`)
	if got := n.Article(t, a.ID); !strings.Contains(got.Lead, "سطر أول") {
		t.Errorf("after the lock came back: lead %q", got.Lead)
	}
}

// TestBrowserKeptWorkQuotesSavedVersion: work typed while an autosave is
// on its way is kept in the browser with the version the form had then;
// once that autosave lands, the kept copy must quote the new version, or
// restoring it later is refused as a conflict with the writer's own save.
func TestBrowserKeptWorkQuotesSavedVersion(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	_, wid := apptest.LoginAs(t, n, auth.RoleWriter)
	a := apptest.ArticleIn(t, n, news.StatusDraft, wid)
	draft := n.Base + "/admin/articles/" + apptest.ID(a)
	tab := openArticle(t, browser, n, auth.RoleWriter, a)

	// Autosaves wait in the browser until the test lets them go.
	paused := make(chan fetch.RequestID, 4)
	go func() {
		for ev, err := range chromedp.Events(tab, fetch.RequestPaused) {
			if err != nil {
				return
			}
			paused <- ev.RequestID
		}
	}()
	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/autosave"}}}); err != nil {
		t.Fatal(err)
	}
	next := func() fetch.RequestID {
		t.Helper()
		select {
		case id := <-paused:
			return id
		case <-time.After(30 * time.Second):
			t.Fatal("no autosave")
		}
		return ""
	}
	browsertest.Browse(t, tab, "type", chromedp.SendKeys(chromedp.CSS(`textarea[name=lead]`), "سطر أول"))
	first := next()
	browsertest.Browse(t, tab, "type while it is on its way", chromedp.SendKeys(chromedp.CSS(`textarea[name=lead]`), " وسطر ثان"))
	pollJS(t, tab, "work kept", `(localStorage.getItem(`+keptKey(a)+`) || "").includes("وسطر ثان")`)
	if _, err := chromedp.Call(tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: first}); err != nil {
		t.Fatal(err)
	}
	pollJS(t, tab, "first autosave", `document.getElementById("autosave").textContent.includes("تلقائيًا")`)
	// The next autosave never arrives; the writer leaves.
	if _, err := chromedp.Call(tab, fetch.FailRequest, fetch.FailRequestParams{RequestID: next(), ErrorReason: network.ErrorReasonFailed}); err != nil {
		t.Fatal(err)
	}
	pollJS(t, tab, "second autosave fails", `document.getElementById("autosave").classList.contains("warn")`)
	if _, err := chromedp.Call(tab, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	acceptDialogs(t, tab)
	browsertest.Browse(t, tab, "open the draft again", chromedp.Navigate(draft), chromedp.WaitVisible(chromedp.CSS(`#kept`)))
	browsertest.Browse(t, tab, "restore", chromedp.Click(chromedp.CSS(`#kept button`)), chromedp.WaitVisible(chromedp.CSS(`form.article-form[data-restored]`)))
	pollJS(t, tab, "the restored work is autosaved", `document.getElementById("autosave").textContent.includes("تلقائيًا")`)
	if got := n.Article(t, a.ID); !strings.Contains(got.Lead, "سطر أول وسطر ثان") {
		t.Errorf("after restoring: lead %q", got.Lead)
	}
}

// TestBrowserStepWaitsForChanges: an editor corrects an article and at
// once publishes it from the workflow buttons; the step quotes the
// version and acts on what the server has, so the correction must be
// saved first, not left behind on the page.
func TestBrowserStepWaitsForChanges(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	_, wid := apptest.LoginAs(t, n, auth.RoleWriter)
	apptest.LoginAs(t, n, auth.RoleEditor)
	a := apptest.ArticleIn(t, n, news.StatusReview, wid)
	tab := openArticle(t, browser, n, auth.RoleEditor, a)
	acceptDialogs(t, tab)
	browsertest.Browse(t, tab, "correct it", chromedp.SendKeys(chromedp.CSS(`textarea[name=lead]`), "تصحيح أخير"))
	browsertest.Eval[bool](t, tab, `document.querySelector("form.step input[name=action][value=publish]").form.querySelector("button").click(), true`)
	browsertest.Browse(t, tab, "published", chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := n.Article(t, a.ID); got.Status != news.StatusPublished || !strings.Contains(got.Lead, "تصحيح أخير") {
		t.Errorf("published from the workflow buttons: %s, lead %q", got.Status, got.Lead)
	}
}
