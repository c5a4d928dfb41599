package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// authorState is every author as stored (see stateOf).
func (f *fixture) authorState(t *testing.T) string { return stateOf(t, f.store.ListAuthors) }

// TestAuthors: editors and admins keep the author profiles (writers and
// moderators get 403 and change nothing); a profile links a photo and an
// account; hostile input gets a precise Arabic message and stores nothing;
// the slug stays when a profile is edited.
func TestAuthors(t *testing.T) { storetest.Each(t, testAuthors) }

func testAuthors(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	id := itoa(f.Authors[0].ID)
	path := func(p string) func() string { return func() string { return p } }
	f.roleMatrix(t, auth.PermManageAuthors, f.authorState, []routeCase{
		{"list", "GET", path("/admin/authors"), nil, 200},
		{"add", "POST", path("/admin/authors"), url.Values{"name": {"مراسل"}}, 303},
		{"edit form", "GET", path("/admin/authors/" + id), nil, 200},
		{"save", "POST", path("/admin/authors/" + id), url.Values{"name": {"ليلى حداد"}, "job_title": {"مراسلة"}}, 303},
	})
	editorsAndAdminsOnly(t, auth.PermManageAuthors)

	_, ed := f.as(t, auth.RoleEditor)
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

// TestOwnProfile: a writer edits the byline linked to their account from
// /admin/account, cannot move it to another account, and is told what is
// wrong; an account without a byline has no profile form.
func TestOwnProfile(t *testing.T) { storetest.Each(t, testOwnProfile) }

func testOwnProfile(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	writer, c := f.as(t, auth.RoleWriter) // storetest.Staff links a byline
	other, _ := f.as(t, auth.RoleEditor)
	if r := c.Get("/admin/account"); !strings.Contains(r.Body, `action="/admin/account/profile"`) || strings.Contains(r.Body, `name="user"`) {
		t.Fatalf("the account page has no own-profile form, or offers relinking")
	}
	form := url.Values{"name": {writer.Name}, "job_title": {"مراسلة في عمّان"}, "bio": {"تكتب عن الاقتصاد."},
		"x": {"https://x.com/writer"}, "user": {itoa(other.ID)}}
	if r := c.Post("/admin/account/profile", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save own profile: %d", r.Status)
	}
	a, err := s.AuthorOfUser(ctx, writer.ID)
	if err != nil || a.JobTitle != "مراسلة في عمّان" || a.X != "https://x.com/writer" || a.UserID != writer.ID {
		t.Fatalf("own profile: %+v %v", a, err)
	}
	form.Set("x", "javascript:alert(1)")
	if r := c.Post("/admin/account/profile", form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "الرابط غير صالح") {
		t.Errorf("a bad link: %d", r.Status)
	}
	if b, _ := s.AuthorOfUser(ctx, writer.ID); b.X != "https://x.com/writer" {
		t.Errorf("a refused save changed the profile: %+v", b)
	}
	// An account with no byline: no form, and nothing to post to.
	u, token := storetest.Staff(t, s, auth.RoleModerator)
	if _, err := s.AuthorOfUser(ctx, u.ID); err == nil {
		// Staff links bylines to every account it makes; unlink this one.
		a, _ := s.AuthorOfUser(ctx, u.ID)
		a.UserID = 0
		if err := s.UpdateAuthor(ctx, a, news.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	mod := f.browser(t, f.h, token)
	if r := mod.Get("/admin/account"); strings.Contains(r.Body, `action="/admin/account/profile"`) {
		t.Error("an account without a byline shows a profile form")
	}
	if r := mod.Post("/admin/account/profile", form); r.Status != http.StatusNotFound {
		t.Errorf("posting a profile without a byline: %d", r.Status)
	}
}
