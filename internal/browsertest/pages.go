package browsertest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"khabar/internal/news"
)

// PageLoaded waits until the tab shows path, fully loaded. While the old
// page is replaced the tab has no context to evaluate in, and Chromium
// answers with an error: those are waited out too, up to StepWait.
func PageLoaded(t *testing.T, tab context.Context, path string) {
	t.Helper()
	expr := `location.pathname === ` + strconv.Quote(path) + ` && document.readyState === "complete"`
	deadline := time.Now().Add(StepWait)
	for {
		ctx, cancel := context.WithTimeout(tab, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not load within %s (last: %v)", path, StepWait, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Within runs actions as Browse does, each call bounded by StepWait.
func Within(t *testing.T, tab context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, StepWait)
	defer cancel()
	Browse(t, ctx, what, actions...)
}

// AddBlock adds a block of type bt with the form's own control: the
// server sends the form back with the new, empty block last.
func AddBlock(t *testing.T, tab context.Context, bt news.BlockType) {
	t.Helper()
	Within(t, tab, "add a "+string(bt)+" block",
		chromedp.SetValue(chromedp.CSS(`select[name=add_type]`), string(bt)),
		chromedp.Click(chromedp.CSS(`button[name=action][value=add_block]`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.blocks > li:last-child fieldset.block-`+string(bt))))
}

// Choose selects the option of select sel whose text is text.
func Choose(t *testing.T, tab context.Context, sel, text string) {
	t.Helper()
	value := Eval[string](t, tab, `([...document.querySelectorAll(`+strconv.Quote(sel+" option")+`)].find(o => o.textContent.trim() === `+strconv.Quote(text)+`) || {value: ""}).value`)
	if value == "" {
		t.Fatalf("%s offers no %q", sel, text)
	}
	Within(t, tab, "choose "+text, chromedp.SetValue(chromedp.CSS(sel), value))
}

// InsertText types text into whatever has the focus as an input method
// commits it (Input.insertText): how Arabic reaches the page from most
// keyboards, and what the writing surface, a contenteditable, takes.
func InsertText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}
