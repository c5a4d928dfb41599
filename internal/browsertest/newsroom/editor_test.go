package newsroom

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
)

// TestBrowserEditor opens the demo's richest article on the writing
// surface: every block the server sent comes back unchanged through the
// surface's fields, Alt+ArrowUp in the second block moves it first and the
// save keeps that order; HTML pasted into a paragraph comes back from the
// server as blocks; the counters show.
func TestBrowserEditor(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	apptest.Login(t, n, auth.RoleEditor)
	article, _ := browsertest.RichArticle(t, n.Store)
	if len(article.Body) < 3 {
		t.Fatalf("article %d has %d blocks", article.ID, len(article.Body))
	}
	tab := browsertest.NewTab(t, browser)
	browsertest.Login(t, tab, n.Base, auth.RoleEditor)
	path := "/admin/articles/" + strconv.FormatInt(article.ID, 10)
	browsertest.Browse(t, tab, "open the article", chromedp.Navigate(n.Base+path))
	browsertest.PageLoaded(t, tab, path)
	browsertest.Within(t, tab, "the surface and the counters", chromedp.WaitVisible(chromedp.CSS(".w-text")), chromedp.WaitVisible(chromedp.CSS("#counters")))
	if got := browsertest.Eval[string](t, tab, `document.getElementById("counters").textContent`); !strings.Contains(got, "الكلمات") {
		t.Errorf("counters: %q", got)
	}
	if got := browsertest.Eval[int](t, tab, `document.querySelector(".w-text").children.length`); got != len(article.Body) {
		t.Errorf("the surface shows %d blocks, want the article's %d", got, len(article.Body))
	}

	// Into the second block, then Alt+ArrowUp.
	browsertest.Eval[bool](t, tab, `(function () {
		var b = document.querySelector(".w-text").children[1];
		var f = b.querySelector("input") || b;
		if (f === b) {
			var r = document.createRange(); r.setStart(b, 0); r.collapse(true);
			document.querySelector(".w-text").focus();
			getSelection().removeAllRanges(); getSelection().addRange(r);
		} else {
			f.focus();
		}
		return true;
	})()`)
	if browsertest.Eval[bool](t, tab, `!!document.activeElement.closest(".w-block")`) {
		// A picture or an embed holds its fields: back to the text, the
		// block selected.
		browsertest.Browse(t, tab, "select the block", chromedp.KeyEvent(kb.Escape))
		browsertest.Eval[bool](t, tab, `(function () { document.querySelector(".w-text").children[1].dispatchEvent(new MouseEvent("mousedown", {bubbles: true})); return true; })()`)
	}
	browsertest.Browse(t, tab, "Alt+ArrowUp", chromedp.KeyEvent(kb.ArrowUp, chromedp.KeyModifiers(chromedp.ModifierAlt)))
	if browsertest.Eval[bool](t, tab, `document.activeElement === document.body`) {
		t.Error("moving the block lost the focus")
	}

	// A paste as Word would send it, dispatched as the browser would, at
	// the end of the article.
	// (TestBrowserWriter goes there with Ctrl+End; here the caret is put
	// there as a click would, again if the surface, still drawing the
	// move, puts its own selection back over it.)
	waitJS(t, tab, "the caret at the end", `(function () {
		if (`+caretInLast+`) return true;
		var ed = document.querySelector(".w-text"), r = document.createRange();
		r.selectNodeContents(ed.lastElementChild);
		r.collapse(false);
		getSelection().removeAllRanges();
		getSelection().addRange(r);
		return false;
	})()`)
	settle(t, tab) // the surface takes the browser's caret on its next selectionchange
	enter(t, tab, "a new paragraph")
	pasteInto(t, tab, map[string]string{"text/html": "<h2 style='mso-x:y'>عنوان ملصق</h2><p class=MsoNormal><span>فقرة <b>ملصقة</b></span></p><ul><li>بند</li></ul>", "text/plain": "عنوان ملصق"})
	waitJS(t, tab, "pasted blocks", `[...document.querySelectorAll(".w-text > h2")].some(function (h) { return h.textContent === "عنوان ملصق"; })`)

	browsertest.Browse(t, tab, "save", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash, [role=status]")))
	saved, err := n.Store.StagedArticle(context.Background(), article.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(article.Body[:0:0], article.Body[1], article.Body[0]), article.Body[2:]...)
	if len(saved.Body) < len(want) {
		t.Fatalf("saved %d blocks, want at least %d", len(saved.Body), len(want))
	}
	for i := range want {
		got, _ := json.Marshal(saved.Body[i])
		wantJSON, _ := json.Marshal(want[i])
		if string(got) != string(wantJSON) {
			t.Errorf("saved block %d: %s\nwant the article's, first two swapped: %s", i, got, wantJSON)
		}
	}
	var types []string
	for _, b := range saved.Body[len(want):] {
		types = append(types, string(b.Type))
	}
	if got := strings.Join(types, " "); got != "heading paragraph list" {
		t.Errorf("pasted blocks saved as %q, want heading paragraph list", got)
	}
}
