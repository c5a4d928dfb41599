package readers

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
)

// TestTickerInTheBrowser reorders the ticker with the keyboard alone: the
// moved line's button keeps the focus after each page load, so Enter,
// Enter moves it two places; the ticker pages pass axe.
func TestTickerInTheBrowser(t *testing.T) {
	t.Parallel() // see TestBrowser
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	apptest.Login(t, n, auth.RoleEditor)
	it := n.AddLines(t, "السطر الأول", "السطر الثاني", "السطر الثالث")
	if err := n.Store.ExpireTicker(context.Background(), n.AddLines(t, "سطر انتهى")[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	tab := browsertest.NewTab(t, browser)
	browsertest.Login(t, tab, n.Base, auth.RoleEditor)
	row := "#ticker-" + apptest.Itoa(it[0].ID)
	browsertest.Browse(t, tab, "open the ticker", chromedp.Navigate(n.Base+"/admin/ticker"), chromedp.Focus(chromedp.CSS(row+" form:has(input[value=up]) button")))
	// Up twice: the second reaches the top, where the up button is
	// disabled and the focus goes to the line's down button.
	for i, want := range []string{"up", "down"} {
		browsertest.Browse(t, tab, "press up", chromedp.KeyEvent(kb.Enter))
		apptest.WaitFor(t, "the moved line's button to have the focus again", func() bool {
			return browsertest.Eval[bool](t, tab, `(() => { const b = document.activeElement, rows = [...document.querySelectorAll("table:not(.expired) tbody tr")];
			  return !!b && /moved=/.test(location.search) && b.closest("tr")?.id === `+strconv.Quote(row[1:])+
				` && b.form?.elements.namedItem("dir")?.value === `+strconv.Quote(want)+` && rows.indexOf(b.closest("tr")) === `+strconv.Itoa(1-i)+` })()`)
		})
	}
	if got := n.HomeTicker(t); !slices.Equal(got[:3], []string{"السطر الأول", "السطر الثالث", "السطر الثاني"}) {
		t.Errorf("home ticker after two moves by keyboard: %q", got)
	}

	axe := browsertest.Axe(t)
	for _, path := range []string{"/admin/ticker", "/admin/ticker/" + apptest.Itoa(it[1].ID)} {
		browsertest.CheckAxe(t, tab, n.Base+path, axe, "")
	}
}
