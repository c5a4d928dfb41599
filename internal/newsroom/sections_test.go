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

// stateOf is what list returns now, printed: a refused request must leave
// it as it was.
func stateOf[T any](t *testing.T, list func(context.Context) ([]T, error)) string {
	t.Helper()
	all, err := list(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", all)
}

// sectionState is every section as stored.
func (f *fixture) sectionState(t *testing.T) string { return stateOf(t, f.store.ListSections) }

// routeCase is a route of a role matrix; path may make what it acts on.
type routeCase struct {
	name, method string
	path         func() string
	form         url.Values
	ok           int
}

// roleMatrix sends every case as every role: roles with perm get the
// case's status, the others 403 and change nothing state shows. A name or
// title in the form is made different per role (so is its slug).
func (f *fixture) roleMatrix(t *testing.T, perm auth.Permission, state func(*testing.T) string, cases []routeCase) {
	t.Helper()
	clients := map[auth.Role]*storetest.Client{}
	for _, role := range auth.Roles {
		_, clients[role] = f.as(t, role)
	}
	for _, c := range cases {
		for _, role := range auth.Roles {
			path := c.path()
			before := state(t)
			form := url.Values{}
			for k, v := range c.form {
				form[k] = v
			}
			for _, k := range []string{"name", "title"} {
				if form.Has(k) {
					form.Set(k, form.Get(k)+" "+string(role))
				}
			}
			r := clients[role].Form(c.method, path, form)
			want := http.StatusForbidden
			if role.Can(perm) {
				want = c.ok
			}
			if r.Status != want {
				t.Errorf("%s as %s: %d, want %d", c.name, role, r.Status, want)
			}
			if changed := state(t) != before; want == http.StatusForbidden && changed {
				t.Errorf("%s as %s: refused, but the state changed", c.name, role)
			}
		}
	}
}

// refusal is a hostile form and the message its refusal must give.
type refusal struct {
	name string
	path string
	form url.Values
	want string
}

// refuses posts each form as c: each must be refused with 422 and its
// message, and leave state as it was.
func refuses(t *testing.T, c *storetest.Client, state func(*testing.T) string, cases []refusal) {
	t.Helper()
	for _, r := range cases {
		before := state(t)
		res := c.Post(r.path, r.form)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, r.want) {
			t.Errorf("%s: %d, want 422 with %q", r.name, res.Status, r.want)
		}
		if state(t) != before {
			t.Errorf("%s: refused, but the state changed", r.name)
		}
	}
}

// addSection makes an empty section through the store.
func (f *fixture) addSection(t *testing.T, name string) *news.Section {
	t.Helper()
	sec := &news.Section{Name: name}
	if err := f.store.AddSection(context.Background(), sec, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	return sec
}

// TestSectionRoleMatrix: every sections route lets editors and admins
// through; writers and moderators get 403 and change nothing.
func TestSectionRoleMatrix(t *testing.T) { storetest.Each(t, testSectionRoleMatrix) }

func testSectionRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	n := 0
	fresh := func() string { n++; return itoa(f.addSection(t, fmt.Sprintf("قسم %d", n)).ID) }
	f.roleMatrix(t, auth.PermManageSections, f.sectionState, []routeCase{
		{"list", "GET", func() string { return "/admin/sections" }, nil, 200},
		{"add", "POST", func() string { return "/admin/sections" }, url.Values{"name": {"منوعات"}}, 303},
		{"edit form", "GET", func() string { return "/admin/sections/" + fresh() }, nil, 200},
		{"save", "POST", func() string { return "/admin/sections/" + fresh() }, url.Values{"name": {"اسم جديد"}}, 303},
		{"move", "POST", func() string { return "/admin/sections/" + fresh() + "/move" }, url.Values{"dir": {"up"}}, 303},
		{"delete", "POST", func() string { return "/admin/sections/" + fresh() + "/delete" }, url.Values{}, 303},
	})
	editorsAndAdminsOnly(t, auth.PermManageSections)
}

// editorsAndAdminsOnly fails unless perm is granted to editors and admins
// and to no one else.
func editorsAndAdminsOnly(t *testing.T, perm auth.Permission) {
	t.Helper()
	for _, role := range auth.Roles {
		if want := role == auth.RoleEditor || role == auth.RoleAdmin; role.Can(perm) != want {
			t.Errorf("%s may %s: %v, want %v", role, perm, role.Can(perm), want)
		}
	}
}

// TestSectionManagement creates, nests, re-slugs, orders, archives and
// deletes sections through the newsroom; hostile input gets a precise
// Arabic message and stores nothing.
func TestSectionManagement(t *testing.T) { storetest.Each(t, testSectionManagement) }

func testSectionManagement(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	_, ed := f.as(t, auth.RoleEditor)
	sport := f.addSection(t, "رياضة")
	// A nested section.
	if r := ed.Post("/admin/sections", url.Values{"name": {"كرة القدم"}, "slug": {"Football"}, "parent": {itoa(sport.ID)},
		"description": {"أخبار الدوريات والمنتخبات"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add a subsection: %d\n%s", r.Status, r.Body)
	}
	football, err := s.SectionBySlug(ctx, "football")
	if err != nil || football.ParentID != sport.ID || football.Description != "أخبار الدوريات والمنتخبات" {
		t.Fatalf("the subsection: %+v %v", football, err)
	}
	// Hostile input: each refused with its message, nothing stored.
	refuses(t, ed, f.sectionState, []refusal{
		{"no name", "/admin/sections", url.Values{"name": {"  "}}, "هذا الحقل مطلوب"},
		{"name of bidi controls", "/admin/sections", url.Values{"name": {"\u202e\u2066\u200f"}}, "هذا الحقل مطلوب"},
		{"long name", "/admin/sections", url.Values{"name": {strings.Repeat("ق", 61)}}, "أطول من المسموح"},
		{"slug of punctuation", "/admin/sections", url.Values{"name": {"ثقافة"}, "slug": {"!!!—…"}}, "حرف أو رقم واحد"},
		{"name of punctuation", "/admin/sections", url.Values{"name": {"؟!"}}, "حرف أو رقم واحد"},
		{"duplicate slug", "/admin/sections", url.Values{"name": {"رياضة أخرى"}, "slug": {sport.Slug}}, "هذا المعرّف مستعمل"},
		{"long description", "/admin/sections", url.Values{"name": {"ثقافة"}, "description": {strings.Repeat("و", 301)}}, "أطول من المسموح"},
		{"forged parent", "/admin/sections", url.Values{"name": {"ثقافة"}, "parent": {"99999"}}, "اختر قسمًا رئيسيًا موجودًا"},
		{"parent not a number", "/admin/sections", url.Values{"name": {"ثقافة"}, "parent": {"1 OR 1=1"}}, "اختر قسمًا رئيسيًا موجودًا"},
		{"two levels", "/admin/sections", url.Values{"name": {"الدوري"}, "parent": {itoa(football.ID)}}, "مستوى واحدًا"},
		{"own parent", "/admin/sections/" + itoa(sport.ID), url.Values{"name": {"رياضة"}, "parent": {itoa(sport.ID)}}, "اختر قسمًا رئيسيًا موجودًا"},
		{"parent with subsections", "/admin/sections/" + itoa(sport.ID), url.Values{"name": {"رياضة"}, "parent": {itoa(f.Sections[0].ID)}}, "لهذا القسم أقسام فرعية"},
	})
	for _, path := range []string{"/admin/sections/99999", "/admin/sections/abc", "/admin/sections/-1"} {
		if r := ed.Get(path); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.Status)
		}
	}
	if r := ed.Post("/admin/sections/"+itoa(sport.ID)+"/move", url.Values{"dir": {"sideways"}}); r.Status != http.StatusBadRequest {
		t.Errorf("a forged direction: %d", r.Status)
	}

	// Re-slug: the old slug is kept as an alias of the section.
	if r := ed.Post("/admin/sections/"+itoa(sport.ID), url.Values{"name": {"الرياضة"}, "slug": {"sport"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("re-slug: %d\n%s", r.Status, r.Body)
	}
	if old, err := s.SectionByOldSlug(ctx, sport.Slug); err != nil || old.ID != sport.ID || old.Slug != "sport" || old.Name != "الرياضة" {
		t.Fatalf("the old slug %q leads to %+v %v", sport.Slug, old, err)
	}

	// Order: the new section moves up past the one before it.
	secs, _ := s.ListSections(ctx)
	last := secs[len(secs)-1]
	if r := ed.Post("/admin/sections/"+itoa(last.ID)+"/move", url.Values{"dir": {"up"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("move: %d", r.Status)
	}
	after, _ := s.ListSections(ctx)
	if after[len(after)-2].ID != last.ID {
		t.Errorf("after moving %q up the order is %+v", last.Name, after)
	}
	if r := ed.Get("/admin/sections?done=section_moved&moved=" + itoa(last.ID) + "&dir=up"); !strings.Contains(r.Body, "autofocus") {
		t.Error("the moved section's button does not keep the focus")
	}

	// Archive: articles stay, none can be added.
	sec := f.Sections[1]
	a := f.articleIn(t, news.StatusPublished, 0)
	if r := ed.Post("/admin/sections/"+itoa(sec.ID), url.Values{"name": {sec.Name}, "slug": {sec.Slug}, "archived": {"on"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("archive: %d", r.Status)
	}
	draft := &news.Article{Headline: "خبر في قسم مؤرشف", SectionID: sec.ID, Body: []news.Block{{Type: news.BlockParagraph, Text: "فقرة"}}}
	if err := s.CreateArticle(ctx, draft); !news.IsInvalid(err) {
		t.Errorf("an article made in an archived section: %v", err)
	}
	form := articleForm(a, "save")
	form.Set("section", itoa(sec.ID))
	if r := ed.Post(adminPath(a), form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "هذا القسم مؤرشف") {
		t.Errorf("moving an article into an archived section: %d", r.Status)
	}
	if r := ed.Get("/admin/articles/new"); strings.Contains(r.Body, `<option value="`+itoa(sec.ID)+`">`+sec.Name+`</option>`) {
		t.Error("the new article form offers the archived section")
	}

	// Delete: refused with the count while articles are in it.
	if r := ed.Post("/admin/sections/"+itoa(a.SectionID)+"/delete", url.Values{}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "لا يُحذف قسم فيه أخبار (1)") {
		t.Errorf("deleting a section with an article: %d", r.Status)
	}
	if r := ed.Post("/admin/sections/"+itoa(sport.ID)+"/delete", url.Values{}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "لهذا القسم أقسام فرعية") {
		t.Errorf("deleting a section with a subsection: %d", r.Status)
	}
	if r := ed.Post("/admin/sections/"+itoa(football.ID)+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
		t.Errorf("deleting an empty section: %d", r.Status)
	}
	if _, err := s.SectionByID(ctx, football.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("the deleted section: %v", err)
	}
	log, _ := s.AuditLog(ctx, 50, 0)
	actions := map[string]bool{}
	for _, e := range log {
		actions[e.Action] = true
	}
	for _, want := range []string{"section.create", "section.update", "section.move", "section.delete"} {
		if !actions[want] {
			t.Errorf("the audit log has no %s", want)
		}
	}
}
