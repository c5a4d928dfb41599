package newsroom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestUsersRolesAndSessions(t *testing.T) {
	storetest.Each(t, testUsersRolesAndSessions)
}

func testUsersRolesAndSessions(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	// Two admins: the one acting here, and one who steps down below.
	admin, n := f.as(t, auth.RoleAdmin)
	other, _ := f.as(t, auth.RoleAdmin)
	cases := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"forged role", url.Values{"name": {"ن"}, "email": {"a@khabar.test"}, "role": {"superuser"}, "password": {"long enough password"}}, 422, "قيمة غير معروفة"},
		{"short password", url.Values{"name": {"ن"}, "email": {"a@khabar.test"}, "role": {"writer"}, "password": {"short"}}, 422, "10 أحرف"},
		{"bad email", url.Values{"name": {"ن"}, "email": {"not-an-email"}, "role": {"writer"}, "password": {"long enough password"}}, 422, "البريد الإلكتروني غير صحيح"},
		{"taken email", url.Values{"name": {"ن"}, "email": {admin.Email}, "role": {"writer"}, "password": {"long enough password"}}, 422, "يوجد حساب"},
		{"no name", url.Values{"name": {" "}, "email": {"b@khabar.test"}, "role": {"writer"}, "password": {"long enough password"}}, 422, "هذا الحقل مطلوب"},
		{"created", url.Values{"name": {"هالة"}, "email": {"hala@khabar.test"}, "role": {"writer"}, "password": {"long enough password"}}, 303, ""},
	}
	for _, c := range cases {
		if r := n.Post("/admin/users", c.form); r.Status != c.status || !strings.Contains(r.Body, c.want) {
			t.Errorf("%s: %d, want %d with %q", c.name, r.Status, c.status, c.want)
		}
	}
	hala, err := s.UserByEmail(ctx, "hala@khabar.test")
	if err != nil || hala.Role != auth.RoleWriter {
		t.Fatalf("created user: %+v %v", hala, err)
	}
	id := itoa(hala.ID)
	// Hala signs in from two browsers.
	hb1, hb2 := f.signIn(t, "hala@khabar.test", "long enough password"), f.signIn(t, "hala@khabar.test", "long enough password")
	if r := hb1.Get("/admin/users"); r.Status != 403 {
		t.Fatalf("a writer opened the users page: %d", r.Status)
	}
	// Roles: forged values refused, the last admin kept.
	if r := n.Post("/admin/users/"+id+"/role", url.Values{"role": {"root"}}); r.Status != 400 {
		t.Errorf("forged role: %d", r.Status)
	}
	// The other admin steps down, which leaves this test's admin the last.
	if r := n.Post("/admin/users/"+itoa(other.ID)+"/role", url.Values{"role": {"editor"}}); r.Status != 303 {
		t.Fatalf("demote the other admin: %d", r.Status)
	}
	if r := n.Post("/admin/users/"+itoa(admin.ID)+"/role", url.Values{"role": {"editor"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "آخر مدير") {
		t.Errorf("demoting the last admin: %d", r.Status)
	}
	if r := n.Post("/admin/users/"+id+"/role", url.Values{"role": {"editor"}}); r.Status != 303 {
		t.Fatalf("set role: %d", r.Status)
	}
	if r := hb1.Get("/admin/ticker"); r.Status != 200 {
		t.Errorf("the new editor cannot manage the ticker: %d", r.Status)
	}
	// Sessions: listed, one ended by the admin.
	r := n.Get("/admin/users/" + id + "/sessions")
	ids := regexp.MustCompile(`/sessions/([0-9a-f]{16})/end`).FindAllStringSubmatch(r.Body, -1)
	if r.Status != 200 || len(ids) != 2 {
		t.Fatalf("sessions: %d, %d listed", r.Status, len(ids))
	}
	if r := n.Post("/admin/users/"+id+"/sessions/"+ids[0][1]+"/end", url.Values{}); r.Status != 303 {
		t.Fatalf("end session: %d", r.Status)
	}
	if r := n.Post("/admin/users/"+id+"/sessions/zzzz/end", url.Values{}); r.Status != 404 {
		t.Errorf("bad session id: %d", r.Status)
	}
	alive := 0
	for _, b := range []*storetest.Client{hb1, hb2} {
		if b.Get("/admin/").Status == 200 {
			alive++
		}
	}
	if alive != 1 {
		t.Fatalf("%d of hala's browsers still signed in, want 1", alive)
	}
	// Her own account page: wrong password, mismatch, then a change that
	// ends her other sessions but not this one.
	hb3 := f.signIn(t, "hala@khabar.test", "long enough password")
	for _, bad := range []url.Values{
		{"current": {"wrong password!"}, "new": {"a brand new password"}, "repeat": {"a brand new password"}},
		{"current": {"long enough password"}, "new": {"a brand new password"}, "repeat": {"something else entirely"}},
		{"current": {"long enough password"}, "new": {"short"}, "repeat": {"short"}},
	} {
		if r := hb3.Post("/admin/account/password", bad); r.Status != 422 {
			t.Errorf("bad password change %v: %d", bad, r.Status)
		}
	}
	if r := hb3.Post("/admin/account/password", url.Values{"current": {"long enough password"}, "new": {"a brand new password"}, "repeat": {"a brand new password"}}); r.Status != 303 {
		t.Fatalf("change password: %d", r.Status)
	}
	if hb3.Get("/admin/account").Status != 200 {
		t.Error("the session that changed the password was ended")
	}
	if hb2.Get("/admin/").Status == 200 && hb1.Get("/admin/").Status == 200 {
		t.Error("other sessions survived the password change")
	}
	f.signIn(t, "hala@khabar.test", "a brand new password")
	// An admin reset: a new password shown once; every session ends and
	// the API token she made as an editor stops working.
	token := storetest.APIToken(t, s, hala)
	r = n.Post("/admin/users/"+id+"/reset", url.Values{})
	m := regexp.MustCompile(`<code dir="ltr" class="token">([^<]+)</code>`).FindStringSubmatch(r.Body)
	if r.Status != 200 || m == nil {
		t.Fatalf("reset: %d", r.Status)
	}
	if hb3.Get("/admin/account").Status == 200 {
		t.Error("a reset left a session alive")
	}
	if _, err := f.n.auth.Bearer(ctx, token); err == nil {
		t.Error("a reset left the API token working")
	}
	if !strings.Contains(r.Body, "أُلغيت مفاتيح الواجهة البرمجية (API) التي يحملها") {
		t.Error("the reset page does not say the API tokens were revoked")
	}
	f.signIn(t, "hala@khabar.test", m[1])
	log, _ := s.AuditLog(ctx, 50, 0)
	seen := map[string]bool{}
	for _, e := range log {
		seen[e.Action] = true
	}
	for _, a := range []string{"user.create", "user.role", "user.password", "user.tokens_revoke", "session.end", "login"} {
		if !seen[a] {
			t.Errorf("no %s in the audit log", a)
		}
	}
}

// TestUsersRoleMatrix takes every user-administration route as every
// role: only admins go through; an editor, a writer or a moderator gets
// 403 and the accounts stay as they were (a role change by anyone else
// would be a privilege escalation).
func TestUsersRoleMatrix(t *testing.T) {
	storetest.Each(t, testUsersRoleMatrix)
}

func testUsersRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	clients := map[auth.Role]*storetest.Client{}
	for _, role := range auth.Roles {
		_, clients[role] = f.as(t, role)
	}
	target := auth.User{Email: "target@khabar.test", Name: "هدف", Role: auth.RoleWriter, PasswordHash: "x"}
	if err := s.CreateUser(ctx, &target); err != nil {
		t.Fatal(err)
	}
	tid := itoa(target.ID)
	accounts := func() string {
		t.Helper()
		users, err := s.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%+v", users)
	}
	cases := []struct {
		name, method, path string
		form               url.Values
		ok                 int
	}{
		{"list", "GET", "/admin/users", nil, 200},
		{"create", "POST", "/admin/users", url.Values{"name": {"جديد"}, "email": {"new@khabar.test"}, "role": {"admin"}, "password": {"long enough password"}}, 303},
		{"make admin", "POST", "/admin/users/" + tid + "/role", url.Values{"role": {"admin"}}, 303},
		{"reset password", "POST", "/admin/users/" + tid + "/reset", url.Values{}, 200},
		{"disable", "POST", "/admin/users/" + tid + "/disable", url.Values{}, 303},
		{"enable", "POST", "/admin/users/" + tid + "/enable", url.Values{}, 303},
		{"sessions", "GET", "/admin/users/" + tid + "/sessions", nil, 200},
		{"audit log", "GET", "/admin/audit", nil, 200},
	}
	for _, c := range cases {
		for _, role := range auth.Roles {
			if role == auth.RoleAdmin {
				continue // an admin's success changes the accounts; see TestUsersRolesAndSessions
			}
			before := accounts()
			if r := clients[role].Form(c.method, c.path, c.form); r.Status != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", c.name, role, r.Status)
			}
			if accounts() != before {
				t.Errorf("%s as %s: refused, but the accounts changed", c.name, role)
			}
		}
		if r := clients[auth.RoleAdmin].Form(c.method, c.path, c.form); r.Status != c.ok {
			t.Errorf("%s as admin: %d, want %d", c.name, r.Status, c.ok)
		}
	}
}

// TestUserAccessRevokesTokens: what takes an account's access away in
// the newsroom takes its API tokens too, each logged in the audit log in
// the newsroom's language: a demotion to a role that holds no tokens (not
// one that does) and disabling the account, which also ends its sessions
// and refuses its right password with a reason; enabled again, it signs
// in with new sessions, its tokens still revoked. The last admin stays
// enabled.
func TestUserAccessRevokesTokens(t *testing.T) { storetest.Each(t, testUserAccessRevokesTokens) }

func testUserAccessRevokesTokens(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	admin, n := f.as(t, auth.RoleAdmin)
	ed, edBrowser := f.as(t, auth.RoleEditor)
	path := "/admin/users/" + itoa(ed.ID)
	works := func(token string) bool {
		_, err := f.n.auth.Bearer(ctx, token)
		return err == nil
	}
	kept := storetest.APIToken(t, s, ed)
	if r := n.Post(path+"/role", url.Values{"role": {"admin"}}); r.Status != http.StatusSeeOther || !works(kept) {
		t.Fatalf("made admin: %d, token works %v", r.Status, works(kept))
	}
	if r := n.Post(path+"/role", url.Values{"role": {"writer"}}); r.Status != http.StatusSeeOther || works(kept) {
		t.Fatalf("made writer: %d, token works %v", r.Status, works(kept))
	}

	if r := n.Post(path+"/role", url.Values{"role": {"editor"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("made editor again: %d", r.Status)
	}
	token := storetest.APIToken(t, s, ed)
	r := n.Post(path+"/disable", url.Values{})
	if r.Status != http.StatusSeeOther || works(token) || edBrowser.Get("/admin/").Status == http.StatusOK {
		t.Fatalf("disabled: %d, token works %v", r.Status, works(token))
	}
	if page := n.Get(r.Header.Get("Location")); !strings.Contains(page.Body, "أُوقف الحساب") || !strings.Contains(page.Body, "موقوف") ||
		!strings.Contains(page.Body, `action="`+path+`/enable"`) {
		t.Error("the users page does not show the account disabled, with a way to enable it")
	}
	login := storetest.NewClient(t, f.h).Post("/admin/login", url.Values{"email": {ed.Email}, "password": {storetest.Password}})
	if login.Status != http.StatusUnauthorized || !strings.Contains(login.Body, "هذا الحساب موقوف") {
		t.Errorf("the right password of a disabled account: %d", login.Status)
	}
	if r := n.Post(path+"/enable", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("enabled: %d", r.Status)
	}
	if b := f.signIn(t, ed.Email, storetest.Password); b.Get("/admin/").Status != http.StatusOK || works(token) {
		t.Errorf("enabled again: signed in, or the old token works (%v)", works(token))
	}

	// The other admin disables themself; this one, the last, cannot.
	if r := n.Post(path+"/role", url.Values{"role": {"admin"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("made admin: %d", r.Status)
	}
	if r := n.Post(path+"/disable", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("disable the other admin: %d", r.Status)
	}
	if r := n.Post("/admin/users/"+itoa(admin.ID)+"/disable", url.Values{}); r.Status != http.StatusConflict || !strings.Contains(r.Body, "لا يمكن إيقاف آخر مدير") {
		t.Errorf("disabling the last admin: %d", r.Status)
	}
	for _, p := range []string{"/admin/users/987654/disable", "/admin/users/abc/enable", "/admin/users/0/disable"} {
		if r := n.Post(p, url.Values{}); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
	if r := send(n, "POST", path+"/disable", url.Values{}, crossSite); r.Status != http.StatusForbidden {
		t.Errorf("a cross-site disable: %d", r.Status)
	}

	audit := n.Get("/admin/audit").Body
	for _, want := range []string{"إلغاء مفاتيح الواجهة البرمجية لحساب", "إيقاف حساب", "إعادة تفعيل حساب"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
}
