package newsroom

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/auth"
	"khabar/internal/browsertest"
)

// layoutWidths are the widths the newsroom's pages must hold at: the
// narrowest phone, a common phone, a laptop and a desktop.
var layoutWidths = []int{360, 390, 1366, 1920}

// overlaps lists the pairs of the visible controls within scope (on the
// editor, its side panel with the action buttons; on the desk, the whole
// page) whose boxes intersect, and whether the page is wider than the
// window. Every group is opened first, so folded controls are measured
// too. A control's boxes are its line boxes (a link's headline may wrap
// beside a button on its last line); a control inside another is not
// counted against it.
func overlaps(scope string) string {
	return `(() => {
  document.querySelectorAll(` + strconv.Quote(scope+" details") + `).forEach(d => d.open = true);
  const controls = [...document.querySelectorAll(` + strconv.Quote(scope+" :is(input, select, textarea, button, summary, a)") + `)]
    .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  const name = el => el.tagName.toLowerCase() + (el.name ? "[name=" + el.name + "]" : "") + (el.value && el.tagName === "BUTTON" ? "[value=" + el.value + "]" : "") +
    (el.tagName === "SUMMARY" || el.tagName === "A" ? "«" + el.textContent.trim().slice(0, 30) + "»" : "");
  const boxes = controls.map(el => [...el.getClientRects()].filter(r => r.width > 0 && r.height > 0));
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const out = [];
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      if (controls[i].contains(controls[j]) || controls[j].contains(controls[i])) continue;
      if (boxes[i].some(a => boxes[j].some(b => meet(a, b)))) out.push(name(controls[i]) + " overlaps " + name(controls[j]));
    }
  }
  if (controls.length < 10) out.push("only " + controls.length + " controls in ` + scope + `");
  if (document.documentElement.scrollWidth > innerWidth) out.push("page is " + document.documentElement.scrollWidth + " px wide in a " + innerWidth + " px window");
  return out;
})()`
}

// TestBrowserEditorLayout: the article form's side panel never overlaps
// itself or the action buttons, nor the desk's controls one another, at
// every width from a small phone to a desktop; the page fits the window; the status bar and one primary
// button show; axe finds nothing on the editor and the desk.
// Screenshots of both at each width go to test-output/screenshots.
func TestBrowserEditorLayout(t *testing.T) {
	t.Parallel()
	n, tab := browsertest.SignedIn(t, auth.RoleEditor)
	article, _ := browsertest.RichArticle(t, n.Store)
	editPath := "/admin/articles/" + strconv.FormatInt(article.ID, 10)
	dir := browsertest.Output(t, "screenshots")
	axe := browsertest.Axe(t)
	for _, page := range []struct{ name, path, ready, scope string }{
		{"editor", editPath, ".side-col", ".side-col"},
		{"desk", "/admin/", ".desk", "main"},
	} {
		for _, w := range layoutWidths {
			browsertest.Browse(t, tab, page.name, chromedp.EmulateViewport(int64(w), 900), chromedp.Navigate(n.Base+page.path))
			browsertest.PageLoaded(t, tab, page.path)
			browsertest.Within(t, tab, page.name+" shows", chromedp.WaitVisible(chromedp.CSS(page.ready)))
			for _, problem := range browsertest.Eval[[]string](t, tab, overlaps(page.scope)) {
				t.Errorf("%s at %d px: %s", page.name, w, problem)
			}
			if page.name == "editor" {
				if got := browsertest.Eval[int](t, tab, `document.querySelectorAll(".actions button.primary").length`); got != 1 {
					t.Errorf("editor at %d px: %d primary buttons, want 1", w, got)
				}
			} else {
				// Its halves fill the desk's width: side by side on a wide
				// screen, one above the other on a phone.
				if used := browsertest.Eval[float64](t, tab, `(() => { const d = document.querySelector(".desk").getBoundingClientRect();
					return [...document.querySelectorAll(".desk-half")].reduce((s, h) => s + h.getBoundingClientRect().width, 0) / (w => w > 0 ? w : 1)(d.width); })()`); (w >= 1366 && used < 0.9) || (w < 1366 && used < 1.8) {
					t.Errorf("desk at %d px: its halves use %.0f%% of its width", w, used*100)
				}
			}
			if w != 360 {
				browsertest.Screenshot(t, tab, filepath.Join(dir, fmt.Sprintf("newsroom-%s-%d.jpg", page.name, w)))
			}
		}
		browsertest.RunAxe(t, tab, page.name, axe, "document", "")
	}
	// The desk's items: ↓ moves to the next, End to the last, ↑ back.
	browsertest.Browse(t, tab, "desk", chromedp.Navigate(n.Base+"/admin/"))
	browsertest.PageLoaded(t, tab, "/admin/")
	browsertest.Eval[bool](t, tab, `document.querySelector("#desk a.desk-item").focus(), true`)
	at := func() int {
		return browsertest.Eval[int](t, tab, `[...document.querySelectorAll("#desk a.desk-item")].indexOf(document.activeElement)`)
	}
	last := browsertest.Eval[int](t, tab, `document.querySelectorAll("#desk a.desk-item").length`) - 1
	for _, k := range []struct {
		key  string
		want int
	}{{kb.ArrowDown, 1}, {kb.ArrowDown, 2}, {kb.ArrowUp, 1}, {kb.End, last}, {kb.Home, 0}} {
		browsertest.Browse(t, tab, "press a key on the desk", chromedp.KeyEvent(k.key))
		if got := at(); got != k.want {
			t.Errorf("desk: after %q the focus is on item %d, want %d", k.key, got, k.want)
		}
	}

	// The status bar says the state, the last save and the counts; the
	// main button says what it does for an editor on a published article.
	browsertest.Browse(t, tab, "editor", chromedp.Navigate(n.Base+editPath))
	browsertest.PageLoaded(t, tab, editPath)
	bar := browsertest.Eval[string](t, tab, `document.querySelector(".status-bar").textContent`)
	for _, want := range []string{"منشور", "آخر حفظ", "الكلمات"} {
		if !strings.Contains(bar, want) {
			t.Errorf("status bar %q lacks %q", bar, want)
		}
	}
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".actions button.primary").textContent`); got != "نشر التحديث" {
		t.Errorf("primary button on a published article: %q", got)
	}
}
