package newsroom

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/news"
	"khabar/internal/store"
)

// press sends keys to whatever has the focus, as a keyboard would.
func press(t *testing.T, tab context.Context, what, keys string, mods ...chromedp.Modifier) {
	t.Helper()
	browsertest.Within(t, tab, what, chromedp.KeyEvent(keys, chromedp.KeyModifiers(mods...)))
}

// enter presses Enter as Chromium receives it from a keyboard: one
// keyDown carrying its text, so that a handled keyDown types nothing.
// (chromedp's KeyEvent sends the text as a separate char event, which
// types a second line break after the editor has handled the key.)
func enter(t *testing.T, tab context.Context, what string) {
	t.Helper()
	browsertest.Within(t, tab, what, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r"}
		if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, up)
		return err
	}))
}

// write types text into whatever has the focus (browsertest.InsertText).
func write(t *testing.T, tab context.Context, text string) {
	t.Helper()
	browsertest.Within(t, tab, "type "+text, browsertest.InsertText(text))
}

// waitJS waits until the JavaScript expression is true.
func waitJS(t *testing.T, tab context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(browsertest.StepWait))); err != nil {
		t.Fatalf("%s: %v (blocks: %s)", what, err, browsertest.Eval[string](t, tab, writerBlocks))
	}
}

// writerBlocks names the surface's blocks in order, for messages.
const writerBlocks = `[...document.querySelector(".w-text").children].map(e => e.classList.contains("w-block") ? e.classList[1] : e.tagName.toLowerCase()).join(" ")`

// caretInLast: the caret is in the surface's last block.
const caretInLast = `document.querySelector(".w-text").lastElementChild.contains(getSelection().focusNode)`

// pasteInto dispatches a paste of the clipboard's types into the surface,
// as the browser does on Ctrl+V.
func pasteInto(t *testing.T, tab context.Context, types map[string]string) {
	t.Helper()
	js, _ := json.Marshal(types)
	browsertest.Eval[bool](t, tab, `(function () {
		var dt = new DataTransfer(), types = `+string(js)+`;
		Object.keys(types).forEach(function (k) { dt.setData(k, types[k]); });
		document.querySelector(".w-text").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
		return true;
	})()`)
}

// quoteFromMenu adds a quote through the "/" menu, from an empty
// paragraph, and leaves the caret in a new paragraph after it.
func quoteFromMenu(t *testing.T, tab context.Context, text, who string) {
	t.Helper()
	press(t, tab, "open the block menu", "/")
	waitJS(t, tab, "the block menu", `!!document.querySelector(".w-popup [role=listbox]")`)
	press(t, tab, "to the quote", kb.ArrowDown+kb.ArrowDown)
	enter(t, tab, "choose the quote")
	write(t, tab, text)
	enter(t, tab, "to who said it")
	write(t, tab, who)
	enter(t, tab, "out of the quote")
}

// pictureFromLibrary adds the library's newest picture through the "/"
// menu, from an empty paragraph.
func pictureFromLibrary(t *testing.T, tab context.Context) {
	t.Helper()
	press(t, tab, "open the block menu", "/")
	press(t, tab, "to the library", strings.Repeat(kb.ArrowDown, 5))
	enter(t, tab, "open the library")
	waitJS(t, tab, "the library", `document.activeElement.matches(".w-popup [role=listbox]")`)
	enter(t, tab, "pick the newest picture")
	waitJS(t, tab, "the picture block", `!!document.querySelector(".w-text .w-image")`)
}

// tabTo presses Tab until the element matching sel has the focus.
func tabTo(t *testing.T, tab context.Context, sel string) {
	t.Helper()
	for range 100 {
		if browsertest.Eval[bool](t, tab, `document.activeElement.matches(`+strconv.Quote(sel)+`)`) {
			return
		}
		press(t, tab, "Tab", kb.Tab)
	}
	t.Fatalf("100 presses of Tab did not reach %s", sel)
}

// shownArticle is the article the editor page in tab shows, as stored,
// staged changes included: where saving or publishing a new one led.
func shownArticle(t *testing.T, tab context.Context, s *store.Store) *news.Article {
	t.Helper()
	path := browsertest.Eval[string](t, tab, `location.pathname`)
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/admin/articles/"), 10, 64)
	if err != nil {
		t.Fatalf("the editor page is %s, not an article's", path)
	}
	a, err := s.StagedArticle(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// settle lets the surface's history close its group: edits closer than
// half a second are undone together, as a run of typing is.
func settle(t *testing.T, tab context.Context) {
	t.Helper()
	browsertest.Within(t, tab, "pause", chromedp.Sleep(700*time.Millisecond))
}

// TestBrowserWriter is issue 21's writing surface, driven from the
// keyboard alone once the headline has the focus: an Arabic article of seventeen blocks (a heading by "## ", a
// quote from the "/" menu, a picture from the library with its alt text, a
// YouTube embed by pasting its address, a list, bold and a link to one of
// our stories found by search), a Word document pasted through the
// server's cleaner, two blocks reordered with Alt+ArrowUp and one move
// undone, then published: the stored blocks are exactly the expected
// ones and the reader's page shows them.
func TestBrowserWriter(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t) // after the node: it stops first
	apptest.Login(t, n, auth.RoleEditor)
	ctx := context.Background()
	shots := browsertest.Output(t, "screenshots")
	library, err := n.Store.ListMedia(ctx, 200, 0)
	if err != nil || len(library) == 0 {
		t.Fatalf("library: %d images, %v", len(library), err)
	}
	picture := library[0] // the picker lists the library in its order
	if picture.Alt == "" {
		t.Fatalf("the demo's newest image %d has no alt text to start from", picture.ID)
	}
	target, targetPath := browsertest.RichArticle(t, n.Store)
	sec, err := n.Store.SectionBySlug(ctx, "politics")
	if err != nil {
		t.Fatal(err)
	}
	word, err := os.ReadFile(browsertest.RepoPath(t, "internal", "paste", "testdata", "word.html"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(browsertest.RepoPath(t, "internal", "paste", "testdata", "word.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var pasted []news.Block
	if err := json.Unmarshal(golden, &pasted); err != nil {
		t.Fatal(err)
	}
	const youtube = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
	const headline = "المجلس البلدي يقرّ خطة النقل العام الجديدة"

	tab := browsertest.NewTab(t, browser)
	browsertest.Login(t, tab, n.Base, auth.RoleEditor)
	browsertest.Within(t, tab, "open a new article", chromedp.Navigate(n.Base+"/admin/articles/new"))
	browsertest.PageLoaded(t, tab, "/admin/articles/new")
	waitJS(t, tab, "the writing surface", `!!document.querySelector("#writer:not([hidden]) .w-text")`)
	// Issue 21's trip-ups: no per-block delete box or button, no raw
	// markup in hints, no bold text fields.
	if got := browsertest.Eval[string](t, tab, `(function () {
		var seen = function (e) { return !!(e.offsetWidth || e.offsetHeight); };
		var bad = [];
		document.querySelectorAll("input[name$=_delete], ol.blocks button").forEach(function (e) { if (seen(e)) bad.push(e.name || e.textContent); });
		if (/<(strong|em|a href)/.test(document.querySelector("main").innerText)) bad.push("raw markup in a hint");
		document.querySelectorAll(".main-col input:not(.kicker input), .side-col input, .side-col textarea").forEach(function (e) {
			if (seen(e) && Number(getComputedStyle(e).fontWeight) > 500) bad.push("bold " + e.name);
		});
		return bad.join(", ");
	})()`); got != "" {
		t.Errorf("the editor page shows %s", got)
	}
	browsertest.Eval[bool](t, tab, `window.stayed = true`)

	browsertest.Within(t, tab, "write the headline",
		chromedp.Focus(chromedp.CSS(`textarea[name=headline]`)))
	write(t, tab, headline)
	press(t, tab, "to the lead", kb.Tab)
	write(t, tab, "قرر المجلس البلدي مساء أمس توسيع شبكة الحافلات وخفض أسعار التذاكر.")
	press(t, tab, "into the body", kb.Tab)
	waitJS(t, tab, "the body has the focus", `document.activeElement.matches(".w-text")`)

	write(t, tab, "صوّت أعضاء المجلس بالإجماع على الخطة بعد نقاش استمر ثلاث ساعات.")
	enter(t, tab, "new paragraph")
	press(t, tab, "heading shortcut", "## ")
	write(t, tab, "ماذا تتضمن الخطة؟")
	enter(t, tab, "paragraph after the heading")
	write(t, tab, "تشمل الخطة ")
	press(t, tab, "bold on", "b", chromedp.ModifierCtrl)
	write(t, tab, "أربعين حافلة")
	press(t, tab, "bold off", "b", chromedp.ModifierCtrl)
	write(t, tab, " جديدة.")
	enter(t, tab, "new paragraph")

	quoteFromMenu(t, tab, "هذه الخطة ستغيّر طريقة تنقّل السكان.", "رئيس المجلس")
	pictureFromLibrary(t, tab)
	if got := browsertest.Eval[string](t, tab, `document.querySelectorAll(".w-image input")[2].value`); got != picture.Alt {
		t.Errorf("the picture's alt text starts as %q, want the library's %q", got, picture.Alt)
	}
	press(t, tab, "below the picture", kb.ArrowDown)

	pasteInto(t, tab, map[string]string{"text/plain": youtube})
	waitJS(t, tab, "the embed block", `!!document.querySelector(".w-text .w-embed")`)
	press(t, tab, "below the embed", kb.ArrowDown)

	press(t, tab, "list shortcut", "- ")
	write(t, tab, "خطوط ليلية")
	enter(t, tab, "next item")
	write(t, tab, "تذكرة موحّدة")
	enter(t, tab, "empty item")
	enter(t, tab, "out of the list")

	write(t, tab, "اقرأ أيضًا: ")
	press(t, tab, "link box", "k", chromedp.ModifierCtrl)
	waitJS(t, tab, "the link box", `document.activeElement.matches(".w-popup input[role=combobox]")`)
	write(t, tab, target.Headline)
	waitJS(t, tab, "our story found", `!!document.querySelector(".w-popup [role=option]")`)
	enter(t, tab, "link it")
	waitJS(t, tab, "the link", `!!document.querySelector(".w-text a[href]")`)
	enter(t, tab, "new paragraph")
	press(t, tab, "divider shortcut", "---")

	pasteInto(t, tab, map[string]string{"text/html": string(word), "text/plain": "افتتاح الجسر الجديد فوق النهر"})
	waitJS(t, tab, "the pasted document", `document.querySelectorAll(".w-text > ol").length === 1`)
	if !browsertest.Eval[bool](t, tab, `window.stayed === true`) {
		t.Error("adding blocks reloaded the page")
	}

	// The last block (the pasted link paragraph) up twice; the second
	// move undone.
	press(t, tab, "to the end", kb.End, chromedp.ModifierCtrl)
	waitJS(t, tab, "the caret at the end", caretInLast)
	settle(t, tab)
	press(t, tab, "move up", kb.ArrowUp, chromedp.ModifierAlt)
	settle(t, tab)
	press(t, tab, "move up again", kb.ArrowUp, chromedp.ModifierAlt)
	settle(t, tab)
	press(t, tab, "undo", "z", chromedp.ModifierCtrl)
	const wantOrder = "p h2 p blockquote w-image w-embed ul p hr h2 p h2 blockquote ul h3 p ol"
	if got := browsertest.Eval[string](t, tab, writerBlocks); got != wantOrder {
		t.Fatalf("blocks: %s\nwant:   %s", got, wantOrder)
	}
	if got := browsertest.Eval[string](t, tab, `document.querySelector("input[name=blocks]").form ? document.querySelector("input[name=blocks]").value : ""`); got == "" {
		t.Error("the form lost its block count")
	}
	browsertest.Screenshot(t, tab, filepath.Join(shots, "writer-article.jpg"))

	// The side panel with the keyboard too: Tab to the section, the
	// arrows to politics, Tab to the first author, Space, Tab to publish.
	tabTo(t, tab, `select[name=section]`)
	for i := 0; browsertest.Eval[string](t, tab, `document.activeElement.value`) != strconv.FormatInt(sec.ID, 10); i++ {
		if i == 50 {
			t.Fatalf("ArrowDown did not reach section %d", sec.ID)
		}
		press(t, tab, "the next section", kb.ArrowDown)
	}
	tabTo(t, tab, `input[name=authors]`)
	press(t, tab, "an author", " ")
	tabTo(t, tab, `button[name=action][value=publish]`)
	enter(t, tab, "publish")
	browsertest.Within(t, tab, "published", chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	saved := shownArticle(t, tab, n.Store)
	if saved.Status != news.StatusPublished {
		t.Errorf("the article is %s, want published", saved.Status)
	}
	href := "(none)"
	if len(saved.Body) > 7 {
		if i := strings.Index(saved.Body[7].Text, `href="`); i >= 0 {
			href = strings.SplitN(saved.Body[7].Text[i+6:], `"`, 2)[0]
		}
	}
	if !strings.HasSuffix(href, targetPath) {
		t.Errorf("the link goes to %s, want our story %s", href, targetPath)
	}
	want := []news.Block{
		{Type: news.BlockParagraph, Text: "صوّت أعضاء المجلس بالإجماع على الخطة بعد نقاش استمر ثلاث ساعات."},
		{Type: news.BlockHeading, Text: "ماذا تتضمن الخطة؟", Level: 2},
		{Type: news.BlockParagraph, Text: "تشمل الخطة <strong>أربعين حافلة</strong> جديدة."},
		{Type: news.BlockQuote, Text: "هذه الخطة ستغيّر طريقة تنقّل السكان.", Cite: "رئيس المجلس"},
		{Type: news.BlockImage, MediaID: picture.ID, Caption: picture.Caption, Credit: picture.Credit, Alt: picture.Alt},
		{Type: news.BlockEmbed, URL: youtube},
		{Type: news.BlockList, Items: []string{"خطوط ليلية", "تذكرة موحّدة"}},
		{Type: news.BlockParagraph, Text: `اقرأ أيضًا: <a href="` + href + `">` + target.Headline + `</a>`},
		{Type: news.BlockDivider},
	}
	want = append(want, pasted[:6]...)
	want = append(want, pasted[7], pasted[6])
	got, _ := json.MarshalIndent(saved.Body, "", " ")
	wantJSON, _ := json.MarshalIndent(want, "", " ")
	if string(got) != string(wantJSON) {
		t.Errorf("stored blocks:\n%s\nwant:\n%s", got, wantJSON)
	}

	n.WaitEvents(t)
	reader := browsertest.NewTab(t, browser, chromedp.WithNewBrowserContext())
	browsertest.Within(t, reader, "the reader's page",
		chromedp.Navigate(n.Base+"/news/"+strconv.FormatInt(saved.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`article.story .body`)))
	body := browsertest.Eval[string](t, reader, `document.querySelector("article.story .body").textContent`)
	for _, b := range saved.Body {
		if text := news.StripTags(b.Text); text != "" && !strings.Contains(body, strings.Fields(text)[0]) {
			t.Errorf("the reader's page lacks the %s %q", b.Type, text)
		}
	}
	if got := browsertest.Eval[string](t, reader, `[".body h2", ".body h3", ".body blockquote", ".body figure img", ".body ul", ".body ol", ".body strong", ".body hr", ".body a[href$='`+targetPath+`']"].map(s => document.querySelectorAll("article.story " + s).length).join(" ")`); got != "3 1 2 1 2 1 3 1 1" {
		t.Errorf("the reader's page has %s of h2 h3 blockquote img ul ol strong hr link, want 3 1 2 1 2 1 3 1 1", got)
	}
}

// TestBrowserArticleFormWithoutScript: with JavaScript off, the article
// page is the form the writing surface replaces, kept as its fallback: no
// surface, the block fields shown; a paragraph typed in its field and a
// heading added with the server's button are published as those blocks.
func TestBrowserArticleFormWithoutScript(t *testing.T) {
	t.Parallel()
	n, tab := browsertest.SignedIn(t, auth.RoleEditor)
	ctx := context.Background()
	sec, err := n.Store.SectionBySlug(ctx, "politics")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	browsertest.Within(t, tab, "open a new article", chromedp.Navigate(n.Base+"/admin/articles/new"))
	browsertest.PageLoaded(t, tab, "/admin/articles/new")
	if !browsertest.Eval[bool](t, tab, `document.getElementById("writer").hidden && !document.querySelector(".w-text") && document.querySelector("ol.blocks textarea").offsetHeight > 0`) {
		t.Fatal("without JavaScript the page does not show the block fields in place of the writing surface")
	}
	want := []news.Block{
		{Type: news.BlockParagraph, Text: "نص كُتب في الحقل من دون جافاسكربت."},
		{Type: news.BlockHeading, Text: "عنوان أضافه الخادم", Level: 2},
	}
	browsertest.Within(t, tab, "write the article",
		chromedp.SendKeys(chromedp.CSS(`textarea[name=headline]`), "خبر من النموذج البسيط"),
		chromedp.SetValue(chromedp.CSS(`select[name=section]`), strconv.FormatInt(sec.ID, 10)),
		chromedp.Click(chromedp.CSS(`input[name=authors]`)),
		chromedp.SendKeys(chromedp.CSS(`fieldset.block-paragraph textarea`), want[0].Text))
	browsertest.AddBlock(t, tab, news.BlockHeading)
	browsertest.Within(t, tab, "publish it",
		chromedp.SendKeys(chromedp.CSS(`fieldset.block-heading input[name$=_text]`), want[1].Text),
		chromedp.Click(chromedp.CSS(`button[name=action][value=publish]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	saved := shownArticle(t, tab, n.Store)
	got, _ := json.Marshal(saved.Body)
	wantJSON, _ := json.Marshal(want)
	if saved.Status != news.StatusPublished || string(got) != string(wantJSON) {
		t.Errorf("stored: %s, %s\nwant published, %s", saved.Status, got, wantJSON)
	}
}
