package newsroom

import (
	"context"
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

// redirectState is every redirect as stored.
func (f *fixture) redirectState(t *testing.T) string {
	t.Helper()
	list, _, err := f.store.ListRedirects(context.Background(), "", 10000, 0)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", list)
}

func (f *fixture) addRedirect(t *testing.T, path, target string) *news.Redirect {
	t.Helper()
	rd := &news.Redirect{Path: path, Target: target}
	if err := f.store.AddRedirect(context.Background(), rd, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	return rd
}

// TestRedirectsRoleMatrix: redirects are for editors and admins; writers
// and moderators get 403 and change nothing.
func TestRedirectsRoleMatrix(t *testing.T) { storetest.Each(t, testRedirectsRoleMatrix) }

func testRedirectsRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	n := 0
	fresh := func() string {
		n++
		return itoa(f.addRedirect(t, fmt.Sprintf("/old-%d/", n), "/news/1").ID)
	}
	// The save keeps each redirect's own old address (the matrix calls
	// path before it reads the form).
	saved := url.Values{"target": {"/news/2"}}
	saving := func() string {
		id := fresh()
		saved.Set("path", fmt.Sprintf("/old-%d", n))
		return "/admin/redirects/" + id
	}
	uniq := func() url.Values {
		n++
		return url.Values{"path": {fmt.Sprintf("/added-%d", n)}, "target": {"/page/about"}}
	}
	f.roleMatrix(t, auth.PermManageRedirects, f.redirectState, []routeCase{
		{"list", "GET", func() string { return "/admin/redirects" }, nil, 200},
		{"edit form", "GET", func() string { return "/admin/redirects/" + fresh() }, nil, 200},
		{"save", "POST", saving, saved, 303},
		{"delete", "POST", func() string { return "/admin/redirects/" + fresh() + "/delete" }, url.Values{}, 303},
	})
	// Adding and importing need a new address each time, which the
	// matrix's form cannot make per role.
	for _, role := range auth.Roles {
		_, c := f.as(t, role)
		want := 303
		if !role.Can(auth.PermManageRedirects) {
			want = 403
		}
		if r := c.Post("/admin/redirects", uniq()); r.Status != want {
			t.Errorf("%s adds a redirect: %d, want %d", role, r.Status, want)
		}
		if want == 303 {
			want = 200
		}
		if r := c.Post("/admin/redirects/import", url.Values{"csv": {fmt.Sprintf("/csv-%s,/news/3", role)}}); r.Status != want {
			t.Errorf("%s imports redirects: %d, want %d", role, r.Status, want)
		}
	}
	editorsAndAdminsOnly(t, auth.PermManageRedirects)
}

// TestRedirectManagement: an editor adds, edits, finds, deletes and
// imports redirects, and readers are sent on by them; hostile input gets
// a precise message and stores nothing.
func TestRedirectManagement(t *testing.T) { storetest.Each(t, testRedirectManagement) }

func testRedirectManagement(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	_, ed := f.as(t, auth.RoleEditor)

	if r := ed.Post("/admin/redirects", url.Values{"path": {"https://old.example/2019/05/خبر/"}, "target": {"/news/7"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d\n%s", r.Status, r.Body)
	}
	target, err := f.store.RedirectTarget(ctx, news.RedirectKeys("/2019/05/خبر/", ""))
	if err != nil || target != "/news/7" {
		t.Fatalf("the added redirect: %q (%v)", target, err)
	}
	list := ed.Get("/admin/redirects?q=/2019/")
	if list.Status != 200 || !strings.Contains(list.Body, "/2019/05/خبر") || !strings.Contains(list.Body, "عدد التحويلات: 1") {
		t.Errorf("the list does not find it:\n%s", list.Body)
	}

	for _, c := range []struct {
		name         string
		form         url.Values
		field, error string
	}{
		{"no old address", url.Values{"path": {""}, "target": {"/news/1"}}, "path", "هذا الحقل مطلوب."},
		{"script target", url.Values{"path": {"/x"}, "target": {"javascript:alert(1)"}}, "target", "قيمة غير صالحة"},
		{"other site's scheme-relative", url.Values{"path": {"/x"}, "target": {"//evil.example/"}}, "target", "قيمة غير صالحة"},
		{"loop", url.Values{"path": {"/same/"}, "target": {"/same"}}, "target", "العنوان الجديد هو القديم نفسه."},
		{"taken", url.Values{"path": {"/2019/05/خبر"}, "target": {"/news/8"}}, "path", "لهذا العنوان تحويل من قبل"},
		{"front page", url.Values{"path": {"/"}, "target": {"/news/8"}}, "path", "قيمة غير صالحة"},
	} {
		before := f.redirectState(t)
		r := ed.Post("/admin/redirects", c.form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="redirect-`+c.field+`-err">`+c.error) {
			t.Errorf("%s: %d, want 422 with %q on %s", c.name, r.Status, c.error, c.field)
		}
		if f.redirectState(t) != before {
			t.Errorf("%s: stored something", c.name)
		}
	}

	// Edit: the redirect becomes the editor's.
	rd := f.addRedirect(t, "/to-edit", "/news/1")
	if r := ed.Post("/admin/redirects/"+itoa(rd.ID), url.Values{"path": {"/edited/"}, "target": {"/news/9"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.Status, r.Body)
	}
	if got, _ := f.store.GetRedirect(ctx, rd.ID); got.Path != "/edited" || got.Target != "/news/9" {
		t.Errorf("edited: %+v", got)
	}
	if r := ed.Post("/admin/redirects/"+itoa(rd.ID), url.Values{"path": {"/edited"}, "target": {"vbscript:x"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad edit: %d", r.Status)
	}
	// An import leaves the editor's redirect alone.
	if _, err := f.store.PutImportRedirect(ctx, "/edited", "/news/1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.store.GetRedirect(ctx, rd.ID); got.Target != "/news/9" {
		t.Errorf("an import replaced the editor's redirect: %+v", got)
	}
	if r := ed.Post("/admin/redirects/999999", url.Values{"path": {"/a"}, "target": {"/b"}}); r.Status != http.StatusNotFound {
		t.Errorf("editing a missing redirect: %d", r.Status)
	}
	if r := ed.Post("/admin/redirects/"+itoa(rd.ID)+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
		t.Errorf("delete: %d", r.Status)
	}
	if _, err := f.store.GetRedirect(ctx, rd.ID); err == nil {
		t.Error("the deleted redirect is still there")
	}

	// CSV: a header, good lines (one replacing an existing redirect), and
	// bad ones reported by line number.
	csv := "old,new\n/a/1/,/news/1\nhttps://old.example/?p=12,/news/12\n/2019/05/خبر,/news/70\n/b,javascript:x\n/c\n\"/d,/e\n"
	r := ed.Post("/admin/redirects/import", url.Values{"csv": {csv}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "التحويلات المضافة: 2، والمحدَّثة: 1.") {
		t.Errorf("import: %d\n%s", r.Status, r.Body)
	}
	for _, want := range []string{"السطر 5: العنوان الجديد: قيمة غير صالحة", "السطر 6: يلزم عمودان", "السطر 7: سطر غير مقروء."} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the import does not report %q", want)
		}
	}
	for key, want := range map[string]string{"/a/1": "/news/1", "?p=12": "/news/12", "/2019/05/خبر": "/news/70"} {
		if got, err := f.store.RedirectTarget(ctx, []string{key}); err != nil || got != want {
			t.Errorf("%s: %q (%v), want %q", key, got, err, want)
		}
	}
	for _, bad := range []string{"", "\n\n"} {
		if r := ed.Post("/admin/redirects/import", url.Values{"csv": {bad}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "لا أسطر في الملف.") {
			t.Errorf("empty import %q: %d", bad, r.Status)
		}
	}
}
