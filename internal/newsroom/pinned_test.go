package newsroom

import (
	"net/http"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestPinArticle: the article form pins an article to lead the home page
// and unpins it, as a draft and, through a published update, once
// published.
func TestPinArticle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		_, editor := f.as(t, auth.RoleEditor)
		for _, st := range []news.Status{news.StatusDraft, news.StatusPublished} {
			a := f.articleIn(t, st, 0)
			for _, on := range []bool{true, false} {
				form := articleForm(a, "save")
				if on {
					form.Set("pinned", "on")
				}
				if r := editor.Post(adminPath(a), form); r.Status != http.StatusSeeOther {
					t.Fatalf("%s: save pinned %v: %d\n%.500s", st, on, r.Status, r.Body)
				}
				// A published article's edit is staged until the update is
				// published.
				if st == news.StatusPublished {
					if r := step(editor, f.article(t, a.ID), news.ActionPublishUpdate, nil); r.Status != http.StatusSeeOther {
						t.Fatalf("publish the update: %d\n%.500s", r.Status, r.Body)
					}
				}
				a = f.article(t, a.ID)
				if a.Pinned != on {
					t.Errorf("%s: saved pinned %v, stored %v", st, on, a.Pinned)
				}
				checked := strings.Contains(editor.Get(adminPath(a)).Body, `name="pinned" checked`)
				if checked != on {
					t.Errorf("%s: pinned %v, the form's box checked %v", st, on, checked)
				}
			}
		}
	})
}
