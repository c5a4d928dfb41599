package newsroom

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
)

// TestNewsroomWriterToEditor is issue 3's end-to-end path in one
// Chromium: a writer uploads a picture and completes its texts in the
// media library, writes an article with a heading, a paragraph, a quote
// and that picture, and submits it; an editor finds it awaiting review on
// the desk and publishes it; a reader finds it on the home page.
func TestNewsroomWriterToEditor(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "") // before the browser, which then stops first
	browser := browsertest.Start(t)
	apptest.Login(t, n, auth.RoleWriter)
	apptest.Login(t, n, auth.RoleEditor)
	ctx := context.Background()
	sec, err := n.Store.SectionBySlug(ctx, "politics")
	if err != nil {
		t.Fatal(err)
	}
	shots := browsertest.Output(t, "screenshots")
	photoFile := filepath.Join(t.TempDir(), "صورة-البرلمان.jpg")
	if err := os.WriteFile(photoFile, apptest.JPEGOf(t, apptest.Photo(640, 360, 5)), 0o644); err != nil {
		t.Fatal(err)
	}
	stamp := strconv.FormatInt(time.Now().UnixNano()%100000, 10)
	want := struct{ headline, lead, heading, para, quote, who, alt, caption, credit string }{
		headline: "البرلمان يقرّ موازنة الطوارئ بعد جلسة مطوّلة " + stamp,
		lead:     "أقرّ النواب الموازنة بأغلبية واضحة بعد نقاش استمر حتى الفجر.",
		heading:  "ماذا تتضمن الموازنة؟",
		para:     "تخصص الموازنة الجديدة نصف مواردها للصحة والتعليم.",
		quote:    "هذه موازنة تحمي الفئات الأضعف.",
		who:      "وزيرة المالية",
		alt:      "النواب يصوّتون برفع الأيدي في قاعة البرلمان",
		caption:  "جلسة التصويت على الموازنة",
		credit:   "عدسة خبر",
	}
	tab := browsertest.NewTab(t, browser)

	// The writer: the picture first, through the library's upload form.
	browsertest.Login(t, tab, n.Base, auth.RoleWriter)
	// As for the new article below: the upload field is looked for once
	// the library's page has replaced the desk, not while it does.
	browsertest.Within(t, tab, "open the media library", chromedp.Click(chromedp.CSS(`header.top a[href="/admin/media"]`)))
	browsertest.PageLoaded(t, tab, "/admin/media")
	browsertest.Within(t, tab, "find the upload form", chromedp.WaitVisible(chromedp.CSS(`#upload input[type=file]`)))
	browsertest.Eval[bool](t, tab, `window.stayed = true`)
	browsertest.Within(t, tab, "upload a picture",
		chromedp.SetUploadFiles(chromedp.CSS(`#upload input[type=file]`), []string{photoFile}),
		chromedp.Click(chromedp.CSS(`#upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#upload .upload-results li.ok a[href^="/admin/media/"]`)))
	mediaID := browsertest.Eval[string](t, tab, `document.querySelector('#upload .upload-results li.ok a[href^="/admin/media/"]').getAttribute("href").split("/").pop()`)
	// The library below shows the new picture without a reload and
	// without «اعرض المكتبة محدَّثة» to click (issue 21's trip-up).
	browsertest.Within(t, tab, "the upload shows in the library",
		chromedp.WaitVisible(chromedp.CSS(`#library .media-grid a[href="/admin/media/`+mediaID+`"]`)))
	if !browsertest.Eval[bool](t, tab, `window.stayed === true && location.pathname === "/admin/media"`) {
		t.Error("the upload left or reloaded the library page")
	}
	if browsertest.Eval[bool](t, tab, `document.querySelector("#upload").textContent.includes("اعرض المكتبة محدَّثة")`) {
		t.Error("the upload asks for the library to be shown again")
	}
	browsertest.Within(t, tab, "complete the picture's texts",
		chromedp.Click(chromedp.CSS(`#upload .upload-results li.ok a[href^="/admin/media/"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=alt]`), want.alt),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=caption]`), want.caption),
		chromedp.SendKeys(chromedp.CSS(`input[name=credit]`), want.credit),
		chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))

	// The article: fields, then blocks added one at a time (each added
	// block comes back from the server, which renumbers them in the order
	// shown, so blocks are found by their kind, not their number).
	// The media page's own scripts may still be running when the link is
	// clicked; typing starts once the new page has loaded, not while the
	// old one is being replaced.
	browsertest.Within(t, tab, "open a new article", chromedp.Click(chromedp.CSS(`header.top a[href="/admin/articles/new"]`)))
	browsertest.PageLoaded(t, tab, "/admin/articles/new")
	browsertest.Within(t, tab, "fill in the new article",
		chromedp.WaitVisible(chromedp.CSS(`.w-text`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=headline]`), want.headline),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=lead]`), want.lead),
		chromedp.SetValue(chromedp.CSS(`select[name=section]`), strconv.FormatInt(sec.ID, 10)),
		chromedp.Click(chromedp.CSS(`input[name=authors]`)),
		chromedp.Focus(chromedp.CSS(`.w-text`)))
	write(t, tab, want.para)
	enter(t, tab, "a new paragraph")
	press(t, tab, "a heading", "## ")
	write(t, tab, want.heading)
	press(t, tab, "move the heading above the paragraph", kb.ArrowUp, chromedp.ModifierAlt)
	if got := browsertest.Eval[string](t, tab, writerBlocks); got != "h2 p" {
		t.Fatalf("blocks after moving the heading up: %q", got)
	}
	press(t, tab, "to the end", kb.End, chromedp.ModifierCtrl)
	waitJS(t, tab, "the caret at the end", caretInLast)
	settle(t, tab)
	enter(t, tab, "a new paragraph")
	quoteFromMenu(t, tab, want.quote, want.who)
	pictureFromLibrary(t, tab) // the picture just uploaded
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".w-image .w-kind").textContent`); !strings.HasSuffix(got, "#"+mediaID) {
		t.Errorf("the picture block shows %q, want picture #%s", got, mediaID)
	}
	if got := browsertest.Eval[string](t, tab, writerBlocks); got != "h2 p blockquote w-image p" {
		t.Fatalf("blocks before submitting: %q", got)
	}
	noPublishing(t, tab, "the writer's new article")
	browsertest.Screenshot(t, tab, filepath.Join(shots, "newsroom-writer-form.jpg"))
	browsertest.Within(t, tab, "submit for review",
		chromedp.Click(chromedp.CSS(`button[name=action][value=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".status-bar .badge").className`); !strings.Contains(got, "st-review") {
		t.Fatalf("after submitting the article is %q", got)
	}
	id := browsertest.Eval[string](t, tab, `location.pathname.split("/").pop()`)
	noPublishing(t, tab, "the writer's submitted article")
	browsertest.Within(t, tab, "log out",
		chromedp.Click(chromedp.CSS(`form.whoami button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)))

	// The editor: the desk lists it awaiting review; publishing it is
	// the approval.
	browsertest.Login(t, tab, n.Base, auth.RoleEditor)
	review := `details#desk_review a[href="/admin/articles/` + id + `"]`
	// Login lands on the desk: clicking the brand link would reload the
	// same page, and the item could be found in the page being replaced.
	// Navigate returns once the new desk has loaded.
	browsertest.Within(t, tab, "find it awaiting review",
		chromedp.Navigate(n.Base+"/admin/"),
		chromedp.WaitVisible(chromedp.CSS(review)))
	if got := browsertest.Eval[string](t, tab, `document.querySelector(`+strconv.Quote(review)+`).textContent`); got != want.headline {
		t.Errorf("the desk lists %q, want %q", got, want.headline)
	}
	browsertest.Screenshot(t, tab, filepath.Join(shots, "newsroom-editor-desk.jpg"))
	browsertest.Within(t, tab, "open it and publish",
		chromedp.Click(chromedp.CSS(review)),
		chromedp.WaitVisible(chromedp.CSS(`section.workflow`)),
		chromedp.Click(chromedp.CSS(`form.step:has(input[name=action][value=publish]) button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".status-bar .badge").className`); !strings.Contains(got, "st-published") {
		t.Fatalf("after publishing the article is %q (%s)", got, browsertest.Eval[string](t, tab, `(document.querySelector("[role=alert]") || {}).textContent || ""`))
	}
	browsertest.Screenshot(t, tab, filepath.Join(shots, "newsroom-editor-published.jpg"))

	// A reader, with a browser profile of their own.
	n.WaitEvents(t)
	reader := browsertest.NewTab(t, browser, chromedp.WithNewBrowserContext())
	link := `main a[href^="/news/` + id + `/"]`
	browsertest.Within(t, reader, "find it on the home page",
		chromedp.Navigate(n.Base+"/"),
		chromedp.WaitVisible(chromedp.CSS(link)))
	if got := browsertest.Eval[string](t, reader, `document.querySelector(`+strconv.Quote(link)+`).textContent.trim()`); got != want.headline {
		t.Errorf("the home page links the article as %q, want %q", got, want.headline)
	}
	browsertest.Screenshot(t, reader, filepath.Join(shots, "newsroom-home.jpg"))
	browsertest.Within(t, reader, "open it",
		chromedp.Click(chromedp.CSS(link)),
		chromedp.WaitVisible(chromedp.CSS(`article.story .body`)))
	browsertest.LoadPictures(t, reader)
	type shown struct{ H1, H2, Quote, Who, Alt, Caption string }
	got := browsertest.Eval[shown](t, reader, `(() => {
	  const q = s => document.querySelector(s), text = s => (q(s) || {}).textContent || "";
	  return {h1: text("article.story h1"), h2: text(".body h2"), quote: text(".body blockquote p"), who: text(".body blockquote cite"),
	    alt: (q(".body figure img") || {alt: "(no img)"}).alt, caption: text(".body figure figcaption")};
	})()`)
	if got.H1 != want.headline || got.H2 != want.heading || got.Quote != want.quote || got.Who != want.who || got.Alt != want.alt ||
		!strings.Contains(got.Caption, want.caption) || !strings.Contains(got.Caption, want.credit) {
		t.Errorf("the article page shows %+v\nwant headline %q, heading %q, quote %q by %q, picture alt %q, caption %q and credit %q",
			got, want.headline, want.heading, want.quote, want.who, want.alt, want.caption, want.credit)
	}
	browsertest.Screenshot(t, reader, filepath.Join(shots, "newsroom-article.jpg"))
}

// noPublishing fails the test if the page offers a writer any way to
// publish: the form's publish button or the workflow's steps.
func noPublishing(t *testing.T, tab context.Context, where string) {
	t.Helper()
	if got := browsertest.Eval[int](t, tab, `document.querySelectorAll("button[name=action][value=publish], section.workflow, form.step").length`); got != 0 {
		t.Errorf("%s: a writer is offered %d ways to publish", where, got)
	}
}
