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

// authorState is every author as stored, to see that a refused request
// changed nothing.
func (f *fixture) authorState(t *testing.T) string {
	t.Helper()
	list, err := f.store.ListAuthors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", list)
}

// TestAuthors: editors and admins keep the author profiles (writers and
// moderators get 403 and change nothing); a profile links a photo and an
// account; hostile input gets a precise Arabic message and stores nothing;
// the slug stays when a profile is edited.
func TestAuthors(t *testing.T) { storetest.Each(t, testAuthors) }

func testAuthors(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	clients := map[auth.Role]*storetest.Client{}
	for _, role := range auth.Roles {
		_, clients[role] = f.as(t, role)
	}
	id := itoa(f.Authors[0].ID)
	for _, c := range []struct {
		name, method, path string
		form               url.Values
		ok                 int
	}{
		{"list", "GET", "/admin/authors", nil, 200},
		{"add", "POST", "/admin/authors", url.Values{"name": {"مراسل"}}, 303},
		{"edit form", "GET", "/admin/authors/" + id, nil, 200},
		{"save", "POST", "/admin/authors/" + id, url.Values{"name": {"ليلى حداد"}, "job_title": {"مراسلة"}}, 303},
	} {
		for _, role := range auth.Roles {
			form := url.Values{}
			for k, v := range c.form {
				form[k] = v
			}
			if form.Has("name") && c.method == "POST" && c.path == "/admin/authors" {
				form.Set("name", form.Get("name")+" "+string(role))
			}
			before := f.authorState(t)
			r := clients[role].Form(c.method, c.path, form)
			want := http.StatusForbidden
			if role.Can(auth.PermManageAuthors) {
				want = c.ok
			}
			if r.Status != want {
				t.Errorf("%s as %s: %d, want %d", c.name, role, r.Status, want)
			}
			if want == http.StatusForbidden && f.authorState(t) != before {
				t.Errorf("%s as %s: refused, but the authors changed", c.name, role)
			}
		}
	}

	ed := clients[auth.RoleEditor]
	writer, _ := f.as(t, auth.RoleWriter)
	pic := &news.Media{Path: "2026/12/sami.jpg", MIME: "image/jpeg", Width: 800, Height: 800, SHA256: strings.Repeat("b", 64),
		Bytes: 4321, Frames: 1, Alt: "سامي يوسف", SizesState: news.SizesPending}
	if err := s.CreateMedia(ctx, pic); err != nil {
		t.Fatal(err)
	}
	photo := pic.ID
	good := url.Values{"name": {"سامي يوسف"}, "name_latin": {"Sami Youssef"}, "job_title": {"مراسل في بغداد"},
		"bio": {"يغطي الشأن العراقي منذ عشر سنوات."}, "photo": {itoa(photo)}, "user": {itoa(writer.ID)},
		"email": {"Sami@Khabar.test"}, "x": {"https://x.com/sami"}, "telegram": {"https://t.me/sami"}}
	with := func(key, value string) url.Values {
		v := url.Values{}
		for k, vs := range good {
			v[k] = vs
		}
		v.Set(key, value)
		return v
	}
	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no name", with("name", " "), "هذا الحقل مطلوب"},
		{"name of bidi controls", with("name", "\u202e\u2067"), "هذا الحقل مطلوب"},
		{"long name", with("name", strings.Repeat("س", 121)), "أطول من المسموح"},
		{"long bio", with("bio", strings.Repeat("ن", 1001)), "أطول من المسموح"},
		{"slug of punctuation", url.Values{"name": {"ضيف"}, "name_latin": {"Guest Writer"}, "slug": {"—!?"}}, ""},
		{"duplicate slug", with("slug", f.Authors[1].Slug), "هذا المعرّف مستعمل"},
		{"bad email", with("email", "sami@"), "البريد الإلكتروني غير صحيح"},
		{"script link", with("x", "javascript:alert(1)"), "الرابط غير صالح"},
		{"plain http link", with("website", "http://sami.example"), "الرابط غير صالح"},
		{"forged photo", with("photo", "99999"), "غير موجودة"},
		{"forged account", with("user", "99999"), "غير موجودة"},
	} {
		before := f.authorState(t)
		r := ed.Post("/admin/authors", c.form)
		if c.want == "" { // a slug of punctuation falls back to the Latin name's
			if _, err := s.AuthorBySlug(ctx, "guest-writer"); r.Status != http.StatusSeeOther || err != nil {
				t.Errorf("%s: %d (%v)", c.name, r.Status, err)
			}
			continue
		}
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, c.want) {
			t.Errorf("%s: %d, want 422 with %q", c.name, r.Status, c.want)
		}
		if f.authorState(t) != before {
			t.Errorf("%s: refused, but the authors changed", c.name)
		}
	}
	if r := ed.Post("/admin/authors", good); r.Status != http.StatusSeeOther {
		t.Fatalf("add a profile: %d\n%s", r.Status, r.Body)
	}
	a, err := s.AuthorBySlug(ctx, "sami-youssef")
	if err != nil || a.PhotoID != photo || a.UserID != writer.ID || a.Email != "sami@khabar.test" || len(a.SameAs()) != 2 {
		t.Fatalf("the profile: %+v %v", a, err)
	}
	edit := with("name", "سامي يوسف الحلبي")
	edit.Set("slug", "another-slug")
	if r := ed.Post("/admin/authors/"+itoa(a.ID), edit); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.Status)
	}
	if b, err := s.AuthorByID(ctx, a.ID); err != nil || b.Name != "سامي يوسف الحلبي" || b.Slug != "sami-youssef" {
		t.Errorf("after editing: %+v %v (the slug must stay)", b, err)
	}
	for _, path := range []string{"/admin/authors/99999", "/admin/authors/x"} {
		if r := ed.Get(path); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.Status)
		}
	}
}
