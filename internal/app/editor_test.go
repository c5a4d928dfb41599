package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"khabar/internal/auth"
	"khabar/internal/news"
)

func TestPasteEndpoint(t *testing.T) {
	n := startNode(t, "")
	post := func(m *node, body string, hdr map[string]string) resp {
		t.Helper()
		req, err := http.NewRequest("POST", m.base+"/admin/paste", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/html; charset=utf-8")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := m.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp{res.StatusCode, res.Header, string(b)}
	}
	word := `<html><head><style>p{mso-style:x}</style></head><body><!--StartFragment--><h1>عنوان</h1>` +
		`<p class=MsoNormal style="mso-bidi-language:AR-SA"><span lang=AR-SA>نص <b>غامق</b><o:p></o:p></span></p>` +
		`<script>alert(1)</script><p>بعد<style>.x{}</style></p><!--EndFragment--></body></html>`

	w := asRole(t, n, auth.RoleWriter)
	t.Run("roles", func(t *testing.T) {
		for _, tc := range []struct {
			role auth.Role
			want int
		}{
			{"", http.StatusForbidden},
			{auth.RoleModerator, http.StatusForbidden},
			{auth.RoleWriter, http.StatusOK},
			{auth.RoleEditor, http.StatusOK},
			{auth.RoleAdmin, http.StatusOK},
		} {
			m := n
			switch tc.role {
			case "":
			case auth.RoleWriter:
				m = w
			default:
				m = asRole(t, n, tc.role)
			}
			r := post(m, word, nil)
			if r.status != tc.want {
				t.Errorf("%q: status %d, want %d", tc.role, r.status, tc.want)
			}
		}
	})

	t.Run("blocks", func(t *testing.T) {
		r := post(w, word, nil)
		var got struct{ Blocks []news.Block }
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != http.StatusOK {
			t.Fatalf("%d %s: %v", r.status, r.body, err)
		}
		want := []news.Block{{Type: news.BlockHeading, Level: 2, Text: "عنوان"},
			{Type: news.BlockParagraph, Text: "نص <strong>غامق</strong>"}, {Type: news.BlockParagraph, Text: "بعد"}}
		if len(got.Blocks) != len(want) {
			t.Fatalf("got %+v", got.Blocks)
		}
		for i := range want {
			if g := got.Blocks[i]; g.Type != want[i].Type || g.Text != want[i].Text || g.Level != want[i].Level {
				t.Errorf("block %d: %+v, want %+v", i, g, want[i])
			}
		}
		if strings.Contains(r.body, "alert") || strings.Contains(r.body, "mso") {
			t.Errorf("script or Word markup survived: %s", r.body)
		}
	})
	t.Run("empty paste is an empty list", func(t *testing.T) {
		if r := post(w, "", nil); r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"blocks":[]}` {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			name, body string
			hdr        map[string]string
			want       int
		}{
			{"2 MB", "<p>" + strings.Repeat("ا", 1<<20) + "</p>", nil, http.StatusRequestEntityTooLarge},
			{"invalid UTF-8", "<p>\xff\xfe</p>", nil, http.StatusBadRequest},
			{"cross-site", word, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		} {
			r := post(w, tc.body, tc.hdr)
			if r.status != tc.want {
				t.Errorf("%s: status %d, want %d", tc.name, r.status, tc.want)
			}
			if tc.want != http.StatusForbidden {
				var e struct{ Error string }
				if json.Unmarshal([]byte(r.body), &e) != nil || e.Error == "" {
					t.Errorf("%s: no error message: %s", tc.name, r.body)
				}
			}
		}
	})
	t.Run("editor.js is served and included", func(t *testing.T) {
		r := w.get(t, "/admin/editor.js")
		if r.status != http.StatusOK || !strings.Contains(r.header.Get("Content-Type"), "javascript") {
			t.Fatalf("editor.js: %d %s", r.status, r.header.Get("Content-Type"))
		}
		r = w.get(t, "/admin/articles/new")
		for _, s := range []string{`src="/admin/editor.js"`, `data-block-paragraph=`, `id="counters"`} {
			if !strings.Contains(r.body, s) {
				t.Errorf("article form lacks %s", s)
			}
		}
	})
}

// TestBrowserEditor drives the block editor in Chromium: Alt+ArrowUp moves
// the focused block and the save keeps the new order; HTML pasted into a
// paragraph comes back from the server as blocks; the counters show.
func TestBrowserEditor(t *testing.T) {
	t.Parallel() // see TestBrowser
	browser := startBrowser(t)
	n := startNode(t, "")
	login(t, n, auth.RoleEditor)
	article, _ := richArticle(t, n.Store)
	if len(article.Body) < 3 {
		t.Fatalf("article %d has %d blocks", article.ID, len(article.Body))
	}
	tab := newTab(t, browser)
	browserLogin(t, tab, n.base, auth.RoleEditor)
	browse(t, tab, "open the article",
		chromedp.Navigate(n.base+"/admin/articles/"+strconv.FormatInt(article.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS("#counters")))
	if got := eval[string](t, tab, `document.getElementById("counters").textContent`); !strings.Contains(got, "الكلمات") {
		t.Errorf("counters: %q", got)
	}

	eval[bool](t, tab, `(function () {
		var f = document.querySelectorAll("ol.blocks > li")[1].querySelector("textarea, input[name$=_text], select, input[type=number]");
		f.focus();
		return document.activeElement === f;
	})()`)
	browse(t, tab, "Alt+ArrowUp", chromedp.KeyEvent(kb.ArrowUp, chromedp.KeyModifiers(chromedp.ModifierAlt)))
	if got := eval[string](t, tab, `Array.from(document.querySelectorAll("ol.blocks input.pos")).slice(0, 3).map(function (p) { return p.name + "=" + p.value; }).join(" ")`); got != "b1_pos=1 b0_pos=2 b2_pos=3" {
		t.Fatalf("positions after Alt+ArrowUp: %q", got)
	}
	if eval[bool](t, tab, `document.activeElement === document.body`) {
		t.Error("moving the block lost the focus")
	}

	// A paste as Word would send it, dispatched as the browser would.
	eval[bool](t, tab, `(function () {
		var areas = document.querySelectorAll("ol.blocks fieldset.block-paragraph textarea");
		var area = areas[areas.length - 1];
		var dt = new DataTransfer();
		dt.setData("text/html", "<h2 style='mso-x:y'>عنوان ملصق</h2><p class=MsoNormal><span>فقرة <b>ملصقة</b></span></p><ul><li>بند</li></ul>");
		dt.setData("text/plain", "عنوان ملصق");
		area.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
		return true;
	})()`)
	browse(t, tab, "pasted blocks", chromedp.WaitVisible(chromedp.CSS("ol.blocks fieldset.block-list")))
	if got := eval[string](t, tab, `Array.from(document.querySelectorAll("ol.blocks fieldset.block-heading input[name$=_text]")).some(function (f) { return f.value === "عنوان ملصق"; }) ? "ok" : ""`); got != "ok" {
		t.Error("pasted heading not inserted as a heading block")
	}

	browse(t, tab, "save", chromedp.Click(chromedp.CSS(`button[name=action][value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash, [role=status]")))
	saved, err := n.Store.StagedArticle(context.Background(), article.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Body[0].Text != article.Body[1].Text || saved.Body[0].Type != article.Body[1].Type ||
		saved.Body[1].Text != article.Body[0].Text || saved.Body[1].MediaID != article.Body[0].MediaID {
		t.Errorf("saved order: %+v\nwant the first two of %+v swapped", saved.Body[:2], article.Body[:2])
	}
	var types []string
	for _, b := range saved.Body {
		types = append(types, string(b.Type))
	}
	if got := strings.Join(types, " "); !strings.Contains(got, "heading") || !strings.Contains(got, "list") {
		t.Errorf("pasted blocks not saved: %s", got)
	}
}
