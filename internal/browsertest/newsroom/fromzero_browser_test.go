package newsroom

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"khabar/internal/app"
	"khabar/internal/apptest"
	"khabar/internal/browsertest"
	"khabar/internal/news"
)

// TestOutletFromZeroInABrowser is issue 14's "done when", as a new outlet
// lives it: `khabar serve` on an empty data directory prints its set-up
// link; in Chromium the set-up page names the outlet and makes its first
// admin, who creates a section and a subsection, uploads a portrait and
// makes an author profile with it, writes an "about" page, and publishes
// an article in the subsection with that byline. A reader then finds it
// on the home page, on the subsection's page (with breadcrumbs), on the
// author's page, in the section's feed, and the about page in the footer.
func TestOutletFromZeroInABrowser(t *testing.T) {
	t.Parallel()
	// The server first, so that the browser, stopped first (cleanups run
	// last to first), has left when the server's graceful stop begins.
	base, out := serveEmpty(t)
	browser := browsertest.Start(t)
	shots := browsertest.Output(t, "screenshots")
	var link string
	apptest.WaitWithin(t, apptest.ServeStart, "serve prints the set-up link", func() bool {
		_, link, _ = strings.Cut(out.String(), "first run: set up this outlet at ")
		return strings.Contains(link, "\n")
	})
	link = strings.TrimSpace(link)
	if !strings.HasPrefix(link, base+"/admin/setup?token=") {
		t.Fatalf("set-up link %q", link)
	}
	portrait := filepath.Join(t.TempDir(), "هالة.jpg")
	if err := os.WriteFile(portrait, apptest.JPEGOf(t, apptest.Photo(600, 600, 9)), 0o644); err != nil {
		t.Fatal(err)
	}
	tab := browsertest.NewTab(t, browser)

	browsertest.Within(t, tab, "set the outlet up",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`input[name=site_name]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=site_name]`), "صوت المدينة"),
		chromedp.SetValue(chromedp.CSS(`input[name=time_zone]`), "Africa/Cairo"),
		chromedp.SetValue(chromedp.CSS(`select[name=month_style]`), "egypt"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "هالة الأحمد"),
		chromedp.SetValue(chromedp.CSS(`input[name=email]`), "hala@khabar.test"),
		chromedp.SetValue(chromedp.CSS(`input[name=password]`), "a long enough password"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	browsertest.PageLoaded(t, tab, "/admin/")
	browsertest.Screenshot(t, tab, filepath.Join(shots, "fromzero-desk.jpg"))

	// Two sections, one inside the other.
	addSection := func(name, slug, parent string) {
		t.Helper()
		browsertest.Within(t, tab, "open the sections", chromedp.Navigate(base+"/admin/sections"))
		browsertest.PageLoaded(t, tab, "/admin/sections")
		browsertest.Within(t, tab, "add the section "+name,
			chromedp.SendKeys(chromedp.CSS(`form.card input[name=name]`), name),
			chromedp.SetValue(chromedp.CSS(`form.card input[name=slug]`), slug))
		if parent != "" {
			browsertest.Choose(t, tab, `form.card select[name=parent]`, parent)
		}
		browsertest.Within(t, tab, "save the section "+name,
			chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	}
	addSection("رياضة", "sport", "")
	addSection("كرة القدم", "football", "رياضة")

	// The portrait, through the library, then the author profile.
	browsertest.Within(t, tab, "open the media library", chromedp.Navigate(base+"/admin/media"))
	browsertest.PageLoaded(t, tab, "/admin/media")
	browsertest.Within(t, tab, "upload the portrait",
		chromedp.WaitVisible(chromedp.CSS(`#upload input[type=file]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#upload input[type=file]`), []string{portrait}),
		chromedp.Click(chromedp.CSS(`#upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#upload .upload-results li.ok a[href^="/admin/media/"]`)))
	mediaID := browsertest.Eval[string](t, tab, `document.querySelector('#upload .upload-results li.ok a[href^="/admin/media/"]').getAttribute("href").split("/").pop()`)
	browsertest.Within(t, tab, "open the authors", chromedp.Navigate(base+"/admin/authors"))
	browsertest.PageLoaded(t, tab, "/admin/authors")
	browsertest.Within(t, tab, "make the author profile",
		chromedp.SendKeys(chromedp.CSS(`form.card input[name=name]`), "هالة الأحمد"),
		chromedp.SetValue(chromedp.CSS(`form.card input[name=slug]`), "hala"),
		chromedp.SetValue(chromedp.CSS(`form.card input[name=job_title]`), "محررة الرياضة"),
		chromedp.SetValue(chromedp.CSS(`form.card select[name=photo]`), mediaID),
		chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))

	// The about page, with the block editor.
	browsertest.Within(t, tab, "open a new page", chromedp.Navigate(base+"/admin/pages/new"))
	browsertest.PageLoaded(t, tab, "/admin/pages/new")
	browsertest.Within(t, tab, "write the about page",
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "من نحن"),
		chromedp.SetValue(chromedp.CSS(`input[name=slug]`), "about"),
		chromedp.SetValue(chromedp.CSS(`select[name=purpose]`), "about"),
		chromedp.SetValue(chromedp.CSS(`fieldset.block-paragraph textarea`), "صوت المدينة موقع إخباري مستقل يملكه صحافيوه."))
	browsertest.AddBlock(t, tab, news.BlockHeading)
	browsertest.Within(t, tab, "save the about page",
		chromedp.SendKeys(chromedp.CSS(`fieldset.block-heading input[name$=_text]`), "من يموّلنا"),
		chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))

	// The article, in the subsection, with the byline.
	headline := "المنتخب يتأهل إلى النهائي بعد فوز في الدقيقة الأخيرة"
	browsertest.Within(t, tab, "open a new article", chromedp.Navigate(base+"/admin/articles/new"))
	browsertest.PageLoaded(t, tab, "/admin/articles/new")
	// Typed key by key (the editor counts and autosaves as it goes), the
	// headline only: under CI's load every key is a round trip.
	browsertest.Within(t, tab, "type the headline",
		chromedp.WaitVisible(chromedp.CSS(`textarea[name=headline]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=headline]`), headline))
	browsertest.Within(t, tab, "write the rest of the article",
		chromedp.SetValue(chromedp.CSS(`textarea[name=lead]`), "سجّل المنتخب هدف الفوز في الدقيقة التسعين."),
		chromedp.Focus(chromedp.CSS(`.w-text`)))
	write(t, tab, "فاز المنتخب على ضيفه بهدف نظيف وتأهل إلى المباراة النهائية.")
	browsertest.Within(t, tab, "credit the author", chromedp.Click(chromedp.CSS(`input[name=authors]`)))
	browsertest.Choose(t, tab, `select[name=section]`, "كرة القدم")
	browsertest.Within(t, tab, "publish it",
		chromedp.Click(chromedp.CSS(`button[name=action][value=publish]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".status-bar .badge").className`); !strings.Contains(got, "st-published") {
		t.Fatalf("after publishing the article is %q (%s)", got, browsertest.Eval[string](t, tab, `(document.querySelector("[role=alert]") || {}).textContent || ""`))
	}
	id := browsertest.Eval[string](t, tab, `location.pathname.split("/").pop()`)
	browsertest.Screenshot(t, tab, filepath.Join(shots, "fromzero-published.jpg"))

	// The reader, once the site's pages have caught up with the event.
	apptest.WaitFor(t, "the home page lists the article", func() bool { return strings.Contains(readerGet(t, base+"/"), headline) })
	reader := browsertest.NewTab(t, browser, chromedp.WithNewBrowserContext())
	story := `main a[href^="/news/` + id + `/"]`
	browsertest.Within(t, reader, "find it on the home page",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(story)),
		chromedp.WaitVisible(chromedp.CSS(`footer a[href="/page/about"]`)))
	browsertest.Screenshot(t, reader, filepath.Join(shots, "fromzero-home.jpg"))
	browsertest.Within(t, reader, "find it on its section's page, under its trail",
		chromedp.Navigate(base+"/section/football"),
		chromedp.WaitVisible(chromedp.CSS(story)),
		chromedp.WaitVisible(chromedp.CSS(`.crumbs a[href="/section/sport"] + span + a[href="/section/football"]`)))
	browsertest.Within(t, reader, "find it on the author's page, with her portrait",
		chromedp.Navigate(base+"/author/hala"),
		chromedp.WaitVisible(chromedp.CSS(story)),
		chromedp.WaitVisible(chromedp.CSS(`.portrait img`)))
	if got := browsertest.Eval[string](t, reader, `document.querySelector(".job-title").textContent`); got != "محررة الرياضة" {
		t.Errorf("the author's page says her job is %q", got)
	}
	browsertest.Screenshot(t, reader, filepath.Join(shots, "fromzero-author.jpg"))
	browsertest.Within(t, reader, "read the about page",
		chromedp.Click(chromedp.CSS(`footer a[href="/page/about"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.static-page .body h2`)))
	if got := browsertest.Eval[string](t, reader, `document.querySelector("article.static-page h1").textContent + " | " + document.querySelector("article.static-page .body").textContent.trim()`); !strings.Contains(got, "من نحن | صوت المدينة موقع إخباري مستقل") {
		t.Errorf("the about page reads %q", got)
	}
	for _, feed := range []string{"/feeds/section/football/rss.xml", "/feeds/section/sport/rss.xml"} {
		if body := readerGet(t, base+feed); !strings.Contains(body, headline) {
			t.Errorf("%s does not carry the article", feed)
		}
	}
}

// serveEmpty runs `khabar serve` on an empty data directory, on a free
// loopback port, until the test ends; it returns the site's address and
// what the command prints.
func serveEmpty(t *testing.T) (string, *apptest.SyncBuffer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := &apptest.SyncBuffer{}, &apptest.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- app.Main(ctx, []string{"serve", "--data", t.TempDir(), "--addr", addr, "--base-url", base},
			app.IO{Stdin: strings.NewReader(""), Stdout: out, Stderr: errs, Getenv: func(string) string { return "" }})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d:\n%s", code, errs.String())
			}
		case <-time.After(time.Minute):
			t.Error("serve did not stop within a minute of its context ending")
		}
	})
	return base, out
}

// readerGet is a reader's GET of u; "" when it does not answer 200.
func readerGet(t *testing.T, u string) string {
	t.Helper()
	r, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil || r.StatusCode != http.StatusOK {
		return ""
	}
	return string(b)
}
