package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// pageState is every static page as stored (see stateOf).
func (f *fixture) pageState(t *testing.T) string { return stateOf(t, f.store.ListPages) }

// addPage makes a static page through the store.
func (f *fixture) addPage(t *testing.T, title string, purpose news.PagePurpose) *news.Page {
	t.Helper()
	p := &news.Page{Title: title, Purpose: purpose, Footer: true, Body: []news.Block{{Type: news.BlockParagraph, Text: "نص الصفحة"}}}
	if err := f.store.AddPage(context.Background(), p, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	return p
}

// pageForm is a page's form with one paragraph.
func pageFormValues(title, text string) url.Values {
	return url.Values{"title": {title}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {text}, "b0_pos": {"1"}, "footer": {"on"}}
}

// TestPagesRoleMatrix: the outlet's pages are for editors and admins;
// writers and moderators get 403 and change nothing.
func TestPagesRoleMatrix(t *testing.T) { storetest.Each(t, testPagesRoleMatrix) }

func testPagesRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	n := 0
	fresh := func() string { n++; return itoa(f.addPage(t, fmt.Sprintf("صفحة %d", n), "").ID) }
	del := url.Values{"confirm": {"on"}}
	f.roleMatrix(t, auth.PermManagePages, f.pageState, []routeCase{
		{"list", "GET", func() string { return "/admin/pages" }, nil, 200},
		{"new form", "GET", func() string { return "/admin/pages/new" }, nil, 200},
		{"add", "POST", func() string { return "/admin/pages/new" }, pageFormValues("من نحن", "نحن مؤسسة مستقلة."), 303},
		{"edit form", "GET", func() string { return "/admin/pages/" + fresh() }, nil, 200},
		{"save", "POST", func() string { return "/admin/pages/" + fresh() }, pageFormValues("اتصل بنا", "راسلنا."), 303},
		{"move", "POST", func() string { return "/admin/pages/" + fresh() + "/move" }, url.Values{"dir": {"up"}}, 303},
		{"delete", "POST", func() string { return "/admin/pages/" + fresh() + "/delete" }, del, 303},
	})
	editorsAndAdminsOnly(t, auth.PermManagePages)
}

// TestPageManagement writes, edits, orders and deletes the outlet's pages
// with the block editor; hostile input gets a precise Arabic message and
// stores nothing.
func TestPageManagement(t *testing.T) { storetest.Each(t, testPageManagement) }

func testPageManagement(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	_, ed := f.as(t, auth.RoleEditor)

	// The block editor: a heading added to the page, then saved.
	form := pageFormValues("من نحن", "خبر مؤسسة إعلامية مستقلة.")
	form.Set("purpose", "about")
	form.Set("action", "add_block")
	form.Set("add_type", "heading")
	if r := ed.Post("/admin/pages/new", form); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="b1_type" value="heading"`) {
		t.Fatalf("add a block: %d\n%s", r.Status, r.Body)
	}
	form.Del("action")
	form.Set("blocks", "2")
	form.Set("b1_type", "heading")
	form.Set("b1_text", "ملكيتنا وتمويلنا")
	form.Set("b1_level", "2")
	form.Set("b1_pos", "0.5") // moved above the paragraph
	r := ed.Post("/admin/pages/new", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save a new page: %d\n%s", r.Status, r.Body)
	}
	about, err := s.PageBySlug(ctx, "من-نحن")
	if err != nil || about.Purpose != news.PurposeAbout || !about.Footer || len(about.Body) != 2 || about.Body[0].Type != news.BlockHeading {
		t.Fatalf("the saved page: %+v %v", about, err)
	}
	if loc := r.Header.Get("Location"); loc != "/admin/pages/"+itoa(about.ID)+"?done=page_saved" {
		t.Errorf("saved, sent to %q", loc)
	}
	if r := ed.Get("/admin/pages/" + itoa(about.ID) + "?done=page_saved"); !strings.Contains(r.Body, "حُفظت الصفحة") || !strings.Contains(r.Body, "ملكيتنا وتمويلنا") {
		t.Errorf("the page's form after saving: %d", r.Status)
	}

	// Hostile input: each refused with its message, nothing stored.
	refuses(t, ed, f.pageState, []refusal{
		{"no title", "/admin/pages/new", pageFormValues("  ", "نص"), "هذا الحقل مطلوب"},
		{"title of bidi controls", "/admin/pages/new", pageFormValues("\u202e\u2066\u200f", "نص"), "هذا الحقل مطلوب"},
		{"long title", "/admin/pages/new", pageFormValues(strings.Repeat("ص", 101), "نص"), "أطول من المسموح"},
		{"slug of punctuation", "/admin/pages/new", with(pageFormValues("الخصوصية", "نص"), "slug", "!!!—…"), "حرف أو رقم واحد"},
		{"duplicate slug", "/admin/pages/new", with(pageFormValues("عنا", "نص"), "slug", about.Slug), "هذا المعرّف مستعمل"},
		{"taken purpose", "/admin/pages/new", with(pageFormValues("عن خبر", "نص"), "purpose", "about"), "لهذا الدور صفحة أخرى"},
		{"forged purpose", "/admin/pages/new", with(pageFormValues("عن خبر", "نص"), "purpose", "owner"), "قيمة غير معروفة"},
		{"long description", "/admin/pages/new", with(pageFormValues("عن خبر", "نص"), "description", strings.Repeat("و", 301)), "أطول من المسموح"},
		{"image that is not in the library", "/admin/pages/new", with(with(with(pageFormValues("صور", "نص"), "blocks", "2"), "b1_type", "image"), "b1_media", "99999"), "اختر صورة"},
		{"forged block id", "/admin/pages/new", with(with(with(pageFormValues("صور", "نص"), "blocks", "2"), "b1_type", "image"), "b1_media", "1 OR 1=1"), "قيمة غير معروفة"},
		{"unknown block type", "/admin/pages/new", with(with(pageFormValues("صور", "نص"), "blocks", "2"), "b1_type", "script"), "نوع"},
		{"taken slug on edit", "/admin/pages/" + itoa(f.addPage(t, "اتصل بنا", news.PurposeContact).ID), with(pageFormValues("اتصل بنا", "نص"), "slug", about.Slug), "هذا المعرّف مستعمل"},
	})
	for _, path := range []string{"/admin/pages/99999", "/admin/pages/abc", "/admin/pages/-1"} {
		if r := ed.Get(path); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.Status)
		}
	}
	if r := ed.Post("/admin/pages/99999", pageFormValues("لا شيء", "نص")); r.Status != http.StatusNotFound {
		t.Errorf("saving a page that does not exist: %d", r.Status)
	}
	if r := ed.Post("/admin/pages/"+itoa(about.ID)+"/move", url.Values{"dir": {"sideways"}}); r.Status != http.StatusBadRequest {
		t.Errorf("a forged direction: %d", r.Status)
	}

	// An edit keeps the page's place and moves its time.
	edit := with(pageFormValues("عن خبر", "خبر مؤسسة إعلامية مستقلة يملكها صحافيوها."), "slug", about.Slug)
	edit.Set("purpose", "about")
	if r := ed.Post("/admin/pages/"+itoa(about.ID), edit); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.Status, r.Body)
	}
	if got, err := s.PageByID(ctx, about.ID); err != nil || got.Title != "عن خبر" || got.Position != about.Position || got.UpdatedAt.Before(about.UpdatedAt) {
		t.Errorf("the edited page: %+v %v", got, err)
	}

	// Order: the last page moves up.
	pages, _ := s.ListPages(ctx)
	last := pages[len(pages)-1]
	if r := ed.Post("/admin/pages/"+itoa(last.ID)+"/move", url.Values{"dir": {"up"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("move: %d", r.Status)
	}
	if after, _ := s.ListPages(ctx); after[len(after)-2].ID != last.ID {
		t.Errorf("after moving %q up the order is %+v", last.Title, after)
	}

	// Delete: only when confirmed.
	before := f.pageState(t)
	if r := ed.Post("/admin/pages/"+itoa(about.ID)+"/delete", url.Values{}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "أكّد الحذف") {
		t.Errorf("an unconfirmed delete: %d", r.Status)
	}
	if f.pageState(t) != before {
		t.Error("an unconfirmed delete deleted")
	}
	if r := ed.Post("/admin/pages/"+itoa(about.ID)+"/delete", url.Values{"confirm": {"on"}}); r.Status != http.StatusSeeOther {
		t.Errorf("delete: %d", r.Status)
	}
	if _, err := s.PageByID(ctx, about.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("the deleted page: %v", err)
	}
	if r := ed.Post("/admin/pages/"+itoa(about.ID)+"/delete", url.Values{"confirm": {"on"}}); r.Status != http.StatusNotFound {
		t.Errorf("deleting it again: %d", r.Status)
	}

	// The audit log names what was done in Arabic.
	log, _ := s.AuditLog(ctx, 50, 0)
	actions := map[string]bool{}
	for _, e := range log {
		actions[e.Action] = true
	}
	for _, want := range []string{"page.create", "page.update", "page.move", "page.delete"} {
		if !actions[want] {
			t.Errorf("the audit log has no %s", want)
		}
	}
	_, admin := f.as(t, auth.RoleAdmin)
	if r := admin.Get("/admin/audit"); !strings.Contains(r.Body, "حذف صفحة") || !strings.Contains(r.Body, `href="/admin/pages/`) {
		t.Error("the audit log does not say «حذف صفحة» or link the page")
	}
}

// with sets key to value in form and returns it.
func with(form url.Values, key, value string) url.Values {
	form.Set(key, value)
	return form
}
