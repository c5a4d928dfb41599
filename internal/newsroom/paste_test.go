package newsroom

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestPasteEndpoint: what is pasted into the editor comes back as clean
// blocks, for those who write only; bad input is refused as JSON.
func TestPasteEndpoint(t *testing.T) {
	storetest.Each(t, testPasteEndpoint)
}

func testPasteEndpoint(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	post := func(c *storetest.Client, body string, hdr http.Header) storetest.Response {
		h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
		maps.Copy(h, hdr)
		return c.Do("POST", "/admin/paste", strings.NewReader(body), h)
	}
	word := `<html><head><style>p{mso-style:x}</style></head><body><!--StartFragment--><h1>عنوان</h1>` +
		`<p class=MsoNormal style="mso-bidi-language:AR-SA"><span lang=AR-SA>نص <b>غامق</b><o:p></o:p></span></p>` +
		`<script>alert(1)</script><p>بعد<style>.x{}</style></p><!--EndFragment--></body></html>`

	_, w := f.as(t, auth.RoleWriter)
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
			c := f.browser(t, f.h, "")
			switch tc.role {
			case "":
			case auth.RoleWriter:
				c = w
			default:
				_, c = f.as(t, tc.role)
			}
			r := post(c, word, nil)
			if r.Status != tc.want {
				t.Errorf("%q: status %d, want %d", tc.role, r.Status, tc.want)
			}
		}
	})

	t.Run("blocks", func(t *testing.T) {
		r := post(w, word, nil)
		var got struct{ Blocks []news.Block }
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.Status != http.StatusOK {
			t.Fatalf("%d %s: %v", r.Status, r.Body, err)
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
		if strings.Contains(r.Body, "alert") || strings.Contains(r.Body, "mso") {
			t.Errorf("script or Word markup survived: %s", r.Body)
		}
	})
	t.Run("empty paste is an empty list", func(t *testing.T) {
		if r := post(w, "", nil); r.Status != http.StatusOK || strings.TrimSpace(r.Body) != `{"blocks":[]}` {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			name, body string
			hdr        http.Header
			want       int
		}{
			{"2 MB", "<p>" + strings.Repeat("ا", 1<<20) + "</p>", nil, http.StatusRequestEntityTooLarge},
			{"invalid UTF-8", "<p>\xff\xfe</p>", nil, http.StatusBadRequest},
			{"cross-site", word, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		} {
			r := post(w, tc.body, tc.hdr)
			if r.Status != tc.want {
				t.Errorf("%s: status %d, want %d", tc.name, r.Status, tc.want)
			}
			if tc.want != http.StatusForbidden {
				var e struct{ Error string }
				if json.Unmarshal([]byte(r.Body), &e) != nil || e.Error == "" {
					t.Errorf("%s: no error message: %s", tc.name, r.Body)
				}
			}
		}
	})
	t.Run("editor.js is served and included", func(t *testing.T) {
		r := w.Get("/admin/editor.js")
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "javascript") {
			t.Fatalf("editor.js: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		r = w.Get("/admin/articles/new")
		for _, want := range []string{`src="/admin/editor.js"`, `data-block-paragraph=`, `id="counters"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("article form lacks %s", want)
			}
		}
	})
}
