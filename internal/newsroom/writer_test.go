package newsroom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestFindArticles: the editor's link search finds published stories
// only, with their address on the site, for writers; with live=1, only
// live blogs still running, all of them when nothing is typed; a query too
// long is refused with a message, and anyone without the right to write
// gets 403.
func TestFindArticles(t *testing.T) {
	storetest.Each(t, testFindArticles)
}

func testFindArticles(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	live := f.articleIn(t, news.StatusPublished, 0)
	draft := f.articleIn(t, news.StatusDraft, 0)
	blog, ended := f.articleIn(t, news.StatusPublished, 0), f.articleIn(t, news.StatusPublished, 0)
	ctx := context.Background()
	for _, c := range []struct {
		id   int64
		open bool
	}{{blog.ID, true}, {ended.ID, true}, {ended.ID, false}} {
		if err := s.SetLiveCoverage(ctx, c.id, c.open); err != nil {
			t.Fatal(err)
		}
	}
	// The index follows the store's events in the app; here, at once.
	if err := search.New(s).Reindex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_, w := f.as(t, auth.RoleWriter)
	_, m := f.as(t, auth.RoleModerator)
	for _, tc := range []struct {
		name   string
		c      *storetest.Client
		q      string
		status int
		want   []int64
	}{
		{"published stories", w, "الاختبار", http.StatusOK, []int64{live.ID, blog.ID, ended.ID}},
		{"nothing asked", w, "", http.StatusOK, nil},
		{"running live blogs", w, "&live=1", http.StatusOK, []int64{blog.ID}},
		{"running live blogs matching", w, "الاختبار&live=1", http.StatusOK, []int64{blog.ID}},
		{"no live blog matching", w, "كلمةغيرموجودة&live=1", http.StatusOK, nil},
		{"no match", w, "كلمةغيرموجودة", http.StatusOK, nil},
		{"too long", w, strings.Repeat("ب", 201), http.StatusBadRequest, nil},
		{"a moderator", m, "الاختبار", http.StatusForbidden, nil},
	} {
		q, flag, _ := strings.Cut(tc.q, "&")
		if flag != "" {
			flag = "&" + flag
		}
		r := tc.c.Get("/admin/articles/find?q=" + url.QueryEscape(q) + flag)
		if r.Status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, r.Status, tc.status)
			continue
		}
		if tc.status == http.StatusForbidden {
			continue
		}
		var got struct {
			Articles []foundArticle
			Error    string
		}
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
			t.Fatalf("%s: %v: %s", tc.name, err, r.Body)
		}
		if tc.status != http.StatusOK {
			if got.Error == "" {
				t.Errorf("%s: no message: %s", tc.name, r.Body)
			}
			continue
		}
		var ids []int64
		for _, a := range got.Articles {
			ids = append(ids, a.ID)
			if a.ID == draft.ID {
				t.Errorf("%s: found the draft", tc.name)
			}
			if a.ID == live.ID && (a.URL != f.n.articleURL(live) || a.Headline != live.Headline) {
				t.Errorf("%s: %+v, want %s at %s", tc.name, a, live.Headline, f.n.articleURL(live))
			}
		}
		slices.Sort(ids)
		if !slices.Equal(ids, slices.Sorted(slices.Values(tc.want))) {
			t.Errorf("%s: found %v, want %v", tc.name, ids, tc.want)
		}
	}
}

// TestWriterServed: the editor page loads the writing surface with its
// ProseMirror bundle and the library's alt texts, and keeps the no-script
// form it is made from.
func TestWriterServed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		_, w := f.as(t, auth.RoleWriter)
		for _, name := range []string{"writer.js", "writer.css", "vendor/prosemirror.js"} {
			if r := w.Get("/admin/" + name); r.Status != http.StatusOK || r.Body == "" {
				t.Errorf("%s: %d", name, r.Status)
			}
		}
		r := w.Get("/admin/articles/new")
		for _, want := range []string{`src="/admin/vendor/prosemirror.js"`, `src="/admin/writer.js"`, `href="/admin/writer.css"`,
			`id="writer"`, `id="writer-library"`, `data-embed-hosts="`, `www.youtube.com`, `<ol class="blocks"`, `name="b0_type"`, `value="add_block"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the article form lacks %s", want)
			}
		}
	})
}

// TestVendorBundle: the committed ProseMirror bundle was built from the
// sources in tools/editor as they are (its banner records their hash), so
// CI never needs to rebuild it; after changing them, run
// tools/editor/build.sh.
func TestVendorBundle(t *testing.T) {
	h := sha256.New()
	for _, name := range []string{"entry.js", "package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "tools", "editor", name))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	bundle, err := files.ReadFile("static/vendor/prosemirror.js")
	if err != nil {
		t.Fatal(err)
	}
	if want := "source sha256 " + hex.EncodeToString(h.Sum(nil)); !strings.Contains(string(bundle[:min(len(bundle), 300)]), want) {
		t.Errorf("static/vendor/prosemirror.js was not built from tools/editor as it is (want %q in its banner): run tools/editor/build.sh", want)
	}
	if licence, err := files.ReadFile("static/vendor/prosemirror.LICENSE"); err != nil || !strings.Contains(string(licence), "MIT") {
		t.Errorf("the bundle's licences are missing: %v", err)
	}
}
