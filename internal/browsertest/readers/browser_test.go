package readers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/news"
)

// The browser tests run against a node on SQLite (one backend: the browser
// is the slow part, and what it checks does not depend on the database).

// articleBudget is DESIGN.md's page weight: HTML + CSS + JS of an article
// page, gzip-compressed as served, images excluded.
const articleBudget = 50 << 10

var viewports = []struct {
	name          string
	width, height int64
}{{"phone", 390, 844}, {"desktop", 1366, 768}}

func TestBrowser(t *testing.T) {
	// The reader-side browser tests run side by side: each has its own
	// node and Chromium, and they spend most of their time waiting on the
	// browser, so they overlap well even on two cores.
	t.Parallel()
	n, browser, article, articlePath := browsertest.ReaderPages(t)
	sectionPath := "/section/" + article.Section.Slug

	t.Run("reader", func(t *testing.T) {
		tab := browsertest.NewTab(t, browser)
		browsertest.Browse(t, tab, "home", chromedp.Navigate(n.Base+"/"), chromedp.WaitVisible(chromedp.CSS(".lead-story")))
		if got := browsertest.Eval[string](t, tab, `document.documentElement.lang + " " + document.documentElement.dir`); got != "ar rtl" {
			t.Errorf("home: lang and dir %q", got)
		}
		lead := browsertest.Eval[string](t, tab, `document.querySelector(".lead-story h2 a").textContent`)
		// Each link is followed until its page has loaded, and only then
		// looked into: a query sent while the old page is being replaced
		// finds a node that no longer exists.
		follow := func(what, link string) {
			t.Helper()
			path := browsertest.Eval[string](t, tab, `new URL(document.querySelector(`+strconv.Quote(link)+`).href).pathname`)
			browsertest.Within(t, tab, what, chromedp.Click(chromedp.CSS(link)))
			browsertest.PageLoaded(t, tab, path)
		}
		follow("open the lead story", ".lead-story h2 a")
		browsertest.Browse(t, tab, "read the lead story", chromedp.WaitVisible(chromedp.CSS("article.story h1")))
		if h1 := browsertest.Eval[string](t, tab, `document.querySelector("h1").textContent`); h1 != lead {
			t.Errorf("article h1 %q, want the lead story %q", h1, lead)
		}
		follow("open its section", ".crumbs a")
		browsertest.Browse(t, tab, "see its section", chromedp.WaitVisible(chromedp.CSS(".list-head h1")))
		if loc := browsertest.Eval[string](t, tab, `location.pathname`); !strings.HasPrefix(loc, "/section/") {
			t.Errorf("section link went to %s", loc)
		}
		if cards := browsertest.Eval[int](t, tab, `document.querySelectorAll(".card").length`); cards == 0 {
			t.Error("section page shows no articles")
		}
		browsertest.Browse(t, tab, "search for the lead story",
			chromedp.SendKeys(chromedp.CSS("#qs"), lead+kb.Enter), chromedp.WaitVisible(chromedp.CSS(".results")))
		found := browsertest.Eval[bool](t, tab, `[...document.querySelectorAll(".results h2 a")].some(a => a.textContent === `+strconv.Quote(lead)+`)`)
		if !found {
			t.Errorf("searching for %q does not list it", lead)
		}
		live := apptest.BestArticle(t, n.Store, "covered live", func(a, best *news.Article) bool { return a.Live })
		liveTopic := "liveblog/" + strconv.FormatInt(live.ID, 10)
		browsertest.Browse(t, tab, "open the live article", chromedp.Navigate(n.Base+news.ArticlePath(live)), chromedp.WaitVisible(chromedp.CSS(".liveblog")))
		apptest.WaitFor(t, "the live blog to follow its entries", func() bool { return n.Live.Clients(liveTopic) == 1 })
		browsertest.Browse(t, tab, "back home", chromedp.Navigate(n.Base+"/"), chromedp.WaitVisible(chromedp.CSS(".lead-story")))
		// Pages left behind (kept in the back/forward cache) must not hold
		// their live streams: the browser's six connections would run out.
		apptest.WaitFor(t, "left pages to close their live streams", func() bool {
			return n.Live.Clients("ticker") <= 1 && n.Live.Clients(liveTopic) == 0
		})
	})

	t.Run("screenshots and right-to-left layout", func(t *testing.T) {
		dir := browsertest.Output(t, "screenshots")
		tab := browsertest.NewTab(t, browser)
		for _, vp := range viewports {
			for _, p := range []struct{ name, path string }{{"home", "/"}, {"article", articlePath}, {"section", sectionPath}} {
				browsertest.Browse(t, tab, p.name, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(n.Base+p.path))
				browsertest.LoadPictures(t, tab)
				browsertest.Screenshot(t, tab, filepath.Join(dir, fmt.Sprintf("%s-%s-%dx%d.jpg", p.name, vp.name, vp.width, vp.height)))
				for _, problem := range browsertest.Eval[[]string](t, tab, rtlLayoutChecks) {
					t.Errorf("%s at %dx%d: %s", p.name, vp.width, vp.height, problem)
				}
				// A slow phone paints what the parser has so far; what is on
				// screen must not move when the rest arrives.
				if moved := browsertest.Eval[[]string](t, tab, partialPageShifts); len(moved) > 0 {
					t.Errorf("%s at %dx%d: painted before the page is complete, these move when the rest arrives:\n\t%s",
						p.name, vp.width, vp.height, strings.Join(moved, "\n\t"))
				}
			}
		}
		t.Logf("screenshots in %s", dir)
	})

	t.Run("page weight, third parties, layout shift, CSP", func(t *testing.T) {
		for _, path := range []string{articlePath, "/", sectionPath} {
			checkPageBudget(t, browser, n, path)
		}
	})

	t.Run("editor publishes, open page's ticker follows", func(t *testing.T) {
		reader := browsertest.NewTab(t, browser)
		browsertest.Browse(t, reader, "open the home page", chromedp.Navigate(n.Base+"/"), chromedp.WaitVisible(chromedp.CSS(".ticker li")))
		apptest.WaitFor(t, "the page to subscribe to the live ticker", func() bool { return n.Live.Clients("ticker") > 0 })
		browsertest.Eval[bool](t, reader, `window.notReloaded = true`)

		editor := browsertest.NewTab(t, browser, chromedp.WithNewBrowserContext())
		browsertest.Login(t, editor, n.Base, auth.RoleEditor)
		headline := "خبر من المتصفح: البرلمان يناقش قانون " + strconv.FormatInt(time.Now().UnixNano()%100000, 10)
		browsertest.Browse(t, editor, "write and publish",
			chromedp.Navigate(n.Base+"/admin/articles/new"),
			chromedp.SendKeys(chromedp.CSS(`textarea[name=headline]`), headline),
			chromedp.SetValue(chromedp.CSS(`select[name=section]`), strconv.FormatInt(article.SectionID, 10)),
			chromedp.Click(chromedp.CSS(`input[name=authors]`)),
			// The body on the writing surface, typed as an input method
			// commits it (its no-script field is gone once it runs).
			chromedp.Focus(chromedp.CSS(`.w-text`)),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: "فقرة كتبها محرر في متصفح حقيقي."})
				return err
			}),
			chromedp.Click(chromedp.CSS(`button[name=action][value=publish]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		)
		if status := browsertest.Eval[string](t, editor, `document.querySelector(".badge").className`); !strings.Contains(status, "st-published") {
			t.Fatalf("after publishing the article is %q", status)
		}
		_, err := chromedp.Run(reader, chromedp.Poll[bool](
			`[...document.querySelectorAll(".ticker li")].some(li => li.textContent.includes(`+strconv.Quote(headline)+`))`,
			chromedp.WithPollingTimeout(15*time.Second)))
		if err != nil {
			t.Fatalf("the open page's ticker never showed the new headline: %v", err)
		}
		if !browsertest.Eval[bool](t, reader, `window.notReloaded === true`) {
			t.Error("the reader page reloaded instead of updating its ticker")
		}
	})
}

// rtlLayoutChecks returns what is wrong with the right-to-left layout of
// the page in view: the page must not scroll sideways; the headline, the
// brand and lists must start from the right; the ticker must run from the
// right, with its title on the right of its lines.
const rtlLayoutChecks = `(() => {
  const problems = [];
  const near = (a, b) => Math.abs(a - b) <= 2;
  const box = el => el.getBoundingClientRect();
  if (getComputedStyle(document.body).direction !== "rtl") problems.push("body direction is " + getComputedStyle(document.body).direction);
  if (document.documentElement.scrollWidth > innerWidth) problems.push("page scrolls sideways: " + document.documentElement.scrollWidth + "px wide in a " + innerWidth + "px window");
  const main = document.querySelector("main");
  const mainRight = box(main).right - parseFloat(getComputedStyle(main).paddingRight);
  const h1 = document.querySelector("h1:not(.visually-hidden)");
  if (h1) {
    const col = h1.closest(".story") || main;
    const colRight = col === main ? mainRight : box(col).right;
    const r = document.createRange();
    r.selectNodeContents(h1);
    const lines = [...r.getClientRects()].filter(l => l.width > 0);
    if (!lines.length) problems.push("headline has no text");
    for (const l of lines) if (!near(l.right, colRight)) problems.push("a headline line ends " + (colRight - l.right).toFixed(1) + "px short of the column's right edge");
  }
  const brand = document.querySelector(".brand"), search = document.querySelector(".quick-search");
  if (!near(box(brand).right, mainRight)) problems.push("the brand is not at the right edge of the content");
  if (innerWidth >= 768 && box(search).right > box(brand).left) problems.push("the quick search is not to the left of the brand");
  const fromRight = (sel, what) => {
    const items = [...document.querySelectorAll(sel)].slice(0, 2).map(box);
    if (items.length === 2 && !(items[0].right > items[1].right)) problems.push(what + " does not run from the right");
  };
  fromRight(".ticker li", "the ticker");
  fromRight(".sections li", "the section menu");
  const menu = document.querySelector(".sections ul");
  if (menu.scrollWidth > menu.clientWidth && !getComputedStyle(menu).backgroundImage.includes("radial-gradient")) problems.push("the section menu scrolls sideways with no sign that it does");
  const title = document.querySelector(".ticker-title"), list = document.querySelector(".ticker ul");
  if (title && list && box(title).left < box(list).right - 1) problems.push("the ticker title is not on the right of its lines");
  return problems;
})()`

// checkPageBudget loads a page as a reader would and checks DESIGN.md §5
// and §6: every request to our own origin, HTML + CSS + JS within the
// budget gzip-compressed, pictures with their size set and no layout shift,
// a CSP without 'unsafe-inline' that the page never trips.
func checkPageBudget(t *testing.T, browser context.Context, n *apptest.Node, path string) {
	t.Helper()
	tab := browsertest.NewTab(t, browser)
	const observe = `window.cspViolations = []; window.layoutShifts = [];
	document.addEventListener("securitypolicyviolation", e => cspViolations.push(e.violatedDirective + " " + e.blockedURI));
	const what = n => n ? n.nodeName.toLowerCase() + (n.className ? "." + String(n.className).trim().replace(/\s+/g, ".") : "") : "?";
	new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput)
	  layoutShifts.push(e.value.toFixed(5) + " at " + Math.round(e.startTime) + " ms: " + e.sources.map(s => what(s.node)).join(", ")); })
	  .observe({type: "layout-shift", buffered: true});`
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: observe}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var requests []network.EventRequestWillBeSent
	events := chromedp.Events(tab, network.RequestWillBeSent)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			mu.Lock()
			requests = append(requests, ev)
			mu.Unlock()
		}
	}()
	res, err := chromedp.Run(tab, chromedp.NavigateResponse(n.Base+path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	csp, _ := res.Headers["Content-Security-Policy"].(string)
	if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("%s: CSP %q", path, csp)
	}
	// A picture without its size would move the text when it arrives.
	browsertest.LoadPictures(t, tab)
	if bad := browsertest.Eval[[]string](t, tab, `[...document.images].filter(i => !i.getAttribute("width") || !i.getAttribute("height") || !i.hasAttribute("alt")).map(i => i.src)`); len(bad) > 0 {
		t.Errorf("%s: pictures without width, height or alt: %v", path, bad)
	}
	// Nothing may move: pictures are sized, the ticker's stream leaves
	// equal lines alone, the push box is laid out before its script runs.
	if shifts := browsertest.Eval[[]string](t, tab, `layoutShifts`); len(shifts) > 0 {
		t.Errorf("%s: layout shifts %v, want none", path, shifts)
	}
	if v := browsertest.Eval[[]string](t, tab, `cspViolations`); len(v) > 0 {
		t.Errorf("%s: CSP violations: %v", path, v)
	}

	mu.Lock()
	defer mu.Unlock()
	origin := n.Base
	total, counted := 0, map[string]bool{}
	for _, r := range requests {
		u := r.Request.URL
		if strings.HasPrefix(u, "data:") {
			continue
		}
		if !strings.HasPrefix(u, origin+"/") {
			t.Errorf("%s: third-party request %s", path, u)
			continue
		}
		switch r.Type {
		case network.ResourceTypeDocument, network.ResourceTypeStylesheet, network.ResourceTypeScript:
			if !counted[u] {
				counted[u] = true
				total += gzipSize(t, u)
			}
		}
	}
	if len(counted) < 3 {
		t.Errorf("%s: saw %d of the HTML, CSS and JS requests: %v", path, len(counted), counted)
	}
	t.Logf("%s: HTML + CSS + JS %d bytes gzip (budget %d), %d requests", path, total, articleBudget, len(requests))
	if total > articleBudget {
		t.Errorf("%s: HTML + CSS + JS weigh %d bytes gzip-compressed, over the %d budget", path, total, articleBudget)
	}
}

// partialPageShifts lays out the page as if the parser had stopped after
// each element that starts on the first screen (everything after it
// hidden), and lists the elements on screen whose top-left corner is then
// elsewhere than on the complete page: layout shifts a reader sees when a
// page is painted before it is all parsed (Chromium measures from the
// top-left corner in right-to-left pages too). Open ancestors stay, as
// they do while parsing.
const partialPageShifts = `(() => {
  const all = [...document.body.querySelectorAll("*")].filter(el => !el.closest("script, template"));
  const onScreen = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0; };
  // What paints nothing cannot be seen to move.
  const shown = all.filter(el => onScreen(el) && !el.closest(".visually-hidden"));
  const where = new Map(shown.map(el => [el, el.getBoundingClientRect()]));
  const what = el => el.nodeName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).trim().replace(/\s+/g, ".") : "");
  const found = new Map();
  for (const [i, cut] of all.entries()) {
    if (!where.has(cut)) continue;
    const later = new Set(all.slice(i + 1).filter(el => !el.contains(cut) && !cut.contains(el)));
    later.forEach(el => el.style.setProperty("display", "none", "important"));
    for (const el of shown.slice(0, shown.indexOf(cut) + 1)) {
      if (later.has(el)) continue;
      const was = where.get(el), now = el.getBoundingClientRect();
      if (!now.width || !now.height) continue;
      const dx = Math.round(now.left - was.left), dy = Math.round(now.top - was.top);
      if ((dx || dy) && !found.has(el)) found.set(el, what(el) + " moves by " + dx + "," + dy + " px when what follows " + what(cut) + " arrives");
    }
    later.forEach(el => el.style.removeProperty("display"));
  }
  return [...found.values()];
})()`

// gzipSize is the number of bytes the server sends for u to a client that
// accepts gzip (the encoding every browser and proxy takes).
func gzipSize(t *testing.T, u string) int {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Content-Encoding") != "gzip" && len(b) > 1024 {
		t.Errorf("%s is served uncompressed (%d bytes)", u, len(b))
	}
	return len(b)
}
