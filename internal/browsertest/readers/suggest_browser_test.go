package readers

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/browsertest"
)

// TestSuggestInTheBrowser types into the header's search field: after
// two letters a listbox of suggestions opens, announced by count; ↓
// makes the first the field's active option, Enter goes there, and Esc
// closes the list. The open list passes axe.
func TestSuggestInTheBrowser(t *testing.T) {
	t.Parallel() // see TestBrowser
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	tab := browsertest.NewTab(t, browser)
	// Open with the answer to all that was typed: an answer to the
	// first letters, shown while the last ones wait for theirs, would be
	// replaced (and its active option with it) under the next key.
	const open = `(() => { const q = document.getElementById("qs"), l = document.getElementById("qs-suggest");
	  return !!l && !l.hidden && l.dataset.q === q.value.trim() && q.getAttribute("role") === "combobox" && q.getAttribute("aria-expanded") === "true" &&
	    q.getAttribute("aria-controls") === l.id && l.querySelectorAll("[role=option]").length > 0 &&
	    document.querySelector("form.quick-search [role=status]").textContent !== "" })()`
	browsertest.Browse(t, tab, "type in the search field", chromedp.Navigate(n.Base+"/"), chromedp.WaitVisible("#qs"), chromedp.SendKeys("#qs", "البنك المر"))
	apptest.WaitFor(t, "the suggestions to open", func() bool { return browsertest.Eval[bool](t, tab, open) })
	browsertest.Browse(t, tab, "press down", chromedp.KeyEvent(kb.ArrowDown))
	want := browsertest.Eval[string](t, tab, `(() => { const q = document.getElementById("qs"), o = document.getElementById(q.getAttribute("aria-activedescendant") || "-");
	  return o && o.getAttribute("aria-selected") === "true" && o === document.querySelector("#qs-suggest [role=option]") ? o.dataset.url : "" })()`)
	if want == "" {
		t.Fatal("↓ made no option, or not the first, the field's active one")
	}
	browsertest.Browse(t, tab, "press Enter", chromedp.KeyEvent(kb.Enter))
	apptest.WaitFor(t, "the suggestion's page", func() bool {
		return browsertest.Eval[string](t, tab, `location.pathname`) == want
	})
	browsertest.Browse(t, tab, "type again", chromedp.WaitVisible("#qs"), chromedp.SendKeys("#qs", "اقتص"))
	apptest.WaitFor(t, "the suggestions to open again", func() bool { return browsertest.Eval[bool](t, tab, open) })
	// The open combobox passes axe (roles, names, ARIA references).
	browsertest.RunAxe(t, tab, "the open suggestions", browsertest.Axe(t), `document.querySelector("form.quick-search")`, "")
	browsertest.Browse(t, tab, "press Esc", chromedp.KeyEvent(kb.Escape))
	if browsertest.Eval[bool](t, tab, `document.getElementById("qs").getAttribute("aria-expanded") !== "false" || !document.getElementById("qs-suggest").hidden`) {
		t.Error("Esc left the suggestions open")
	}
}
