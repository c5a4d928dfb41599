package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/news"
)

// ReaderPages starts a node with the demo, signed-in editor and admin
// accounts, and a Chromium; it gives the demo's richest article and its
// path.
func ReaderPages(t *testing.T) (*apptest.Node, context.Context, *news.Article, string) {
	t.Helper()
	n := apptest.StartNode(t, "")
	browser := Start(t) // after the node: it stops first
	apptest.Login(t, n, auth.RoleEditor)
	apptest.Login(t, n, auth.RoleAdmin)
	article, articlePath := RichArticle(t, n.Store)
	return n, browser, article, articlePath
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// CheckAxe runs axe-core on a page: every rule, or only the one named.
func CheckAxe(t *testing.T, tab context.Context, pageURL, axe, only string) {
	t.Helper()
	Browse(t, tab, pageURL, chromedp.Navigate(pageURL))
	RunAxe(t, tab, strings.TrimPrefix(pageURL, "http://"), axe, "document", only)
}

// RunAxe checks the page as it is now, within the element the JavaScript
// expression within names, with only one rule when only is set.
func RunAxe(t *testing.T, tab context.Context, what, axe, within, only string) {
	t.Helper()
	Eval[chromedp.Void](t, tab, axe)
	if only != "" {
		only = `runOnly: ["` + only + `"], `
	}
	found := Eval[[]axeViolation](t, tab, `axe.run(`+within+`, {`+only+`resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help,
		nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary.replace(/\s+/g, " "))})))`)
	for _, v := range found {
		t.Errorf("axe %s: %s (%s, %s)\n\t%s", what, v.ID, v.Help, v.Impact, strings.Join(v.Nodes, "\n\t"))
	}
}

// CheckKeyboard tabs through the start of a page: the first Tab must land
// on the skip link, shown on screen, and every element reached must be on
// screen with a visible focus ring.
func CheckKeyboard(t *testing.T, tab context.Context, pageURL string) {
	t.Helper()
	Browse(t, tab, pageURL, chromedp.Navigate(pageURL), chromedp.WaitReady(chromedp.CSS("body")))
	const focused = `(() => {
	  const el = document.activeElement, r = el.getBoundingClientRect(), s = getComputedStyle(el);
	  const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";
	  return {tag: el.tagName, cls: el.className, href: el.getAttribute("href") || "", text: (el.textContent || el.value || "").trim().slice(0, 40),
	    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.left < innerWidth, ring};
	})()`
	type focus struct {
		Tag, Cls, Href, Text string
		Visible, Ring        bool
	}
	for i := range 15 {
		Browse(t, tab, "Tab", chromedp.KeyEvent(kb.Tab))
		f := Eval[focus](t, tab, focused)
		if i == 0 && (f.Cls != "skip" || f.Href != "#main") {
			t.Errorf("%s: the first Tab reaches %s.%s %q, not the skip link", pageURL, f.Tag, f.Cls, f.Text)
		}
		if f.Tag == "BODY" {
			t.Errorf("%s: Tab %d left the page's controls", pageURL, i+1)
			return
		}
		if !f.Visible || !f.Ring {
			t.Errorf("%s: Tab %d focuses %s.%s %q, on screen %v, focus ring %v", pageURL, i+1, f.Tag, f.Cls, f.Text, f.Visible, f.Ring)
		}
	}
}
