package desk

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"khabar/internal/auth"
	"khabar/internal/browsertest"
)

// TestBrowserStatsLive: /admin/stats, left open, shows the views rising
// while a script reads an article (real requests, counted and flushed as
// readers' are), without being reloaded: the views now and the last half
// hour's chart and total; it holds at a phone's width and
// a laptop's, and axe finds nothing on it. Screenshots go to
// test-output/screenshots.
func TestBrowserStatsLive(t *testing.T) {
	t.Parallel()
	n, tab := browsertest.SignedIn(t, auth.RoleEditor)
	_, articlePath := browsertest.RichArticle(t, n.Store)
	axe := browsertest.Axe(t)
	browsertest.Browse(t, tab, "open the stats", chromedp.EmulateViewport(390, 900), chromedp.Navigate(n.Base+"/admin/stats?period=30m"))
	browsertest.PageLoaded(t, tab, "/admin/stats")
	// A mark a reload would lose.
	browsertest.Eval[bool](t, tab, `window.statsOpen = true`)
	views := func() int {
		t.Helper()
		s := browsertest.Eval[string](t, tab, `document.querySelector("[data-stat=views]").textContent`)
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("the views shown: %q", s)
		}
		return v
	}
	before := views()
	total := browsertest.Eval[string](t, tab, `document.querySelector("#stats-period [data-stat=total]").textContent`)
	totalBefore, err := strconv.Atoi(total)
	if err != nil {
		t.Fatalf("the period's total shown: %q", total)
	}
	const reads = 6
	client := &http.Client{Timeout: time.Minute}
	for i := range reads {
		req, err := http.NewRequest(http.MethodGet, n.Base+articlePath, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Six readers: a browser each.
		req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 (Linux; Android 14; reader %d) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36", i))
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("read %s: %d", articlePath, res.StatusCode)
		}
	}
	// The counter flushes every 5 s and the page asks every 5 s: a minute
	// is ample on a loaded machine.
	want := strconv.Itoa(before + reads)
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.querySelector("[data-stat=views]").textContent === `+strconv.Quote(want)+
		` && document.querySelector("[data-stat=visitors]").textContent !== "0"`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Fatalf("the open page still shows %d views and %s visitors a minute after %d reads, want %s: %v", views(),
			browsertest.Eval[string](t, tab, `document.querySelector("[data-stat=visitors]").textContent`), reads, want, err)
	}
	// The period's part asks every 10 s for the last half hour.
	wantTotal := strconv.Itoa(totalBefore + reads)
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.querySelector("#stats-period [data-stat=total]").textContent === `+strconv.Quote(wantTotal),
		chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Fatalf("the half hour's total still shows %s a minute after %d reads, want %s: %v",
			browsertest.Eval[string](t, tab, `document.querySelector("#stats-period [data-stat=total]").textContent`), reads, wantTotal, err)
	}
	if !browsertest.Eval[bool](t, tab, `window.statsOpen === true`) {
		t.Error("the page was reloaded to show the new numbers")
	}
	if got := browsertest.Eval[int](t, tab, `document.querySelectorAll("#stats-now tbody tr").length`); got < 1 {
		t.Error("the most read now lists nothing after the reads")
	}
	dir := browsertest.Output(t, "screenshots")
	for _, w := range []int{390, 1366} {
		browsertest.Browse(t, tab, "resize", chromedp.EmulateViewport(int64(w), 900))
		if wide := browsertest.Eval[int](t, tab, `document.documentElement.scrollWidth`); wide > w {
			t.Errorf("stats at %d px: the page is %d px wide", w, wide)
		}
		browsertest.Screenshot(t, tab, filepath.Join(dir, fmt.Sprintf("newsroom-stats-%d.jpg", w)))
	}
	browsertest.RunAxe(t, tab, "stats", axe, "document", "")
}
