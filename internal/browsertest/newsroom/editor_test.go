package newsroom

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
)

// TestBrowserEditor drives the block editor in Chromium: Alt+ArrowUp moves
// the focused block and the save keeps the new order; HTML pasted into a
// paragraph comes back from the server as blocks; the counters show.
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
	browsertest.Browse(t, tab, "open the article",
		chromedp.Navigate(n.Base+"/admin/articles/"+strconv.FormatInt(article.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS("#counters")))
	if got := browsertest.Eval[string](t, tab, `document.getElementById("counters").textContent`); !strings.Contains(got, "الكلمات") {
		t.Errorf("counters: %q", got)
	}

	browsertest.Eval[bool](t, tab, `(function () {
		var f = document.querySelectorAll("ol.blocks > li")[1].querySelector("textarea, input[name$=_text], select, input[type=number]");
		f.focus();
		return document.activeElement === f;
	})()`)
	browsertest.Browse(t, tab, "Alt+ArrowUp", chromedp.KeyEvent(kb.ArrowUp, chromedp.KeyModifiers(chromedp.ModifierAlt)))
	if got := browsertest.Eval[string](t, tab, `Array.from(document.querySelectorAll("ol.blocks input.pos")).slice(0, 3).map(function (p) { return p.name + "=" + p.value; }).join(" ")`); got != "b1_pos=1 b0_pos=2 b2_pos=3" {
		t.Fatalf("positions after Alt+ArrowUp: %q", got)
	}
	if browsertest.Eval[bool](t, tab, `document.activeElement === document.body`) {
		t.Error("moving the block lost the focus")
	}

	// A paste as Word would send it, dispatched as the browser would.
	browsertest.Eval[bool](t, tab, `(function () {
		var areas = document.querySelectorAll("ol.blocks fieldset.block-paragraph textarea");
		var area = areas[areas.length - 1];
		var dt = new DataTransfer();
		dt.setData("text/html", "<h2 style='mso-x:y'>عنوان ملصق</h2><p class=MsoNormal><span>فقرة <b>ملصقة</b></span></p><ul><li>بند</li></ul>");
		dt.setData("text/plain", "عنوان ملصق");
		area.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
		return true;
	})()`)
	browsertest.Browse(t, tab, "pasted blocks", chromedp.WaitVisible(chromedp.CSS("ol.blocks fieldset.block-list")))
	if got := browsertest.Eval[string](t, tab, `Array.from(document.querySelectorAll("ol.blocks fieldset.block-heading input[name$=_text]")).some(function (f) { return f.value === "عنوان ملصق"; }) ? "ok" : ""`); got != "ok" {
		t.Error("pasted heading not inserted as a heading block")
	}

	browsertest.Browse(t, tab, "save", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash, [role=status]")))
	saved, err := n.Store.StagedArticle(context.Background(), article.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Body[0].Text != article.Body[1].Text || saved.Body[0].Type != article.Body[1].Type ||
		saved.Body[1].Text != article.Body[0].Text || saved.Body[1].MediaID != article.Body[0].MediaID {
		t.Errorf("saved order: %+v\nwant the first two of %+v swapped", saved.Body[:2], article.Body[:2])
	}
	var types []string
	for _, b := range saved.Body {
		types = append(types, string(b.Type))
	}
	if got := strings.Join(types, " "); !strings.Contains(got, "heading") || !strings.Contains(got, "list") {
		t.Errorf("pasted blocks not saved: %s", got)
	}
}
