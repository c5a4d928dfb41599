package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

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
