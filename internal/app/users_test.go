package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"khabar/internal/auth"
)

func TestUsersRolesAndSessions(t *testing.T) {
	n := startNode(t, "")
	ctx := context.Background()
	login(t, n, auth.RoleAdmin)
	cases := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"forged role", url.Values{"name": {"ن"}, "email": {"a@khabar.test"}, "role": {"superuser"}, "password": {"long enough password"}}, 422, "قيمة غير معروفة"},
		{"short password", url.Values{"name": {"ن"}, "email": {"a@khabar.test"}, "role": {"writer"}, "password": {"short"}}, 422, "10 أحرف"},
		{"bad email", url.Values{"name": {"ن"}, "email": {"not-an-email"}, "role": {"writer"}, "password": {"long enough password"}}, 422, "البريد الإلكتروني غير صحيح"},
		{"taken email", url.Values{"name": {"ن"}, "email": {"admin@khabar.test"}, "role": {"writer"}, "password": {"long enough password"}}, 422, "يوجد حساب"},
		{"no name", url.Values{"name": {" "}, "email": {"b@khabar.test"}, "role": {"writer"}, "password": {"long enough password"}}, 422, "هذا الحقل مطلوب"},
		{"created", url.Values{"name": {"هالة"}, "email": {"hala@khabar.test"}, "role": {"writer"}, "password": {"long enough password"}}, 303, ""},
	}
	for _, c := range cases {
		if r := n.do(t, "POST", "/admin/users", c.form, nil); r.status != c.status || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d, want %d with %q", c.name, r.status, c.status, c.want)
		}
	}
	hala, err := n.Store.UserByEmail(ctx, "hala@khabar.test")
	if err != nil || hala.Role != auth.RoleWriter {
		t.Fatalf("created user: %+v %v", hala, err)
	}
	id := itoa(hala.ID)
	// Hala signs in from two browsers.
	hb1, hb2 := signIn(t, n, "hala@khabar.test", "long enough password"), signIn(t, n, "hala@khabar.test", "long enough password")
	if r := hb1.get(t, "/admin/users"); r.status != 403 {
		t.Fatalf("a writer opened the users page: %d", r.status)
	}
	// Roles: forged values refused, the last admin kept.
	if r := n.do(t, "POST", "/admin/users/"+id+"/role", url.Values{"role": {"root"}}, nil); r.status != 400 {
		t.Errorf("forged role: %d", r.status)
	}
	// The demo's admin steps down, which leaves this test's admin the last.
	demoAdmin, _ := n.Store.UserByEmail(ctx, "admin@khabar.example")
	if r := n.do(t, "POST", "/admin/users/"+itoa(demoAdmin.ID)+"/role", url.Values{"role": {"editor"}}, nil); r.status != 303 {
		t.Fatalf("demote the demo admin: %d", r.status)
	}
	admin, _ := n.Store.UserByEmail(ctx, "admin@khabar.test")
	if r := n.do(t, "POST", "/admin/users/"+itoa(admin.ID)+"/role", url.Values{"role": {"editor"}}, nil); r.status != http.StatusConflict || !strings.Contains(r.body, "آخر مدير") {
		t.Errorf("demoting the last admin: %d", r.status)
	}
	if r := n.do(t, "POST", "/admin/users/"+id+"/role", url.Values{"role": {"editor"}}, nil); r.status != 303 {
		t.Fatalf("set role: %d", r.status)
	}
	if r := hb1.get(t, "/admin/ticker"); r.status != 200 {
		t.Errorf("the new editor cannot manage the ticker: %d", r.status)
	}
	// Sessions: listed, one ended by the admin.
	r := n.get(t, "/admin/users/"+id+"/sessions")
	ids := regexp.MustCompile(`/sessions/([0-9a-f]{16})/end`).FindAllStringSubmatch(r.body, -1)
	if r.status != 200 || len(ids) != 2 {
		t.Fatalf("sessions: %d, %d listed", r.status, len(ids))
	}
	if r := n.do(t, "POST", "/admin/users/"+id+"/sessions/"+ids[0][1]+"/end", url.Values{}, nil); r.status != 303 {
		t.Fatalf("end session: %d", r.status)
	}
	if r := n.do(t, "POST", "/admin/users/"+id+"/sessions/zzzz/end", url.Values{}, nil); r.status != 404 {
		t.Errorf("bad session id: %d", r.status)
	}
	alive := 0
	for _, b := range []*node{hb1, hb2} {
		if b.get(t, "/admin/").status == 200 {
			alive++
		}
	}
	if alive != 1 {
		t.Fatalf("%d of hala's browsers still signed in, want 1", alive)
	}
	// Her own account page: wrong password, mismatch, then a change that
	// ends her other sessions but not this one.
	hb3 := signIn(t, n, "hala@khabar.test", "long enough password")
	for _, bad := range []url.Values{
		{"current": {"wrong password!"}, "new": {"a brand new password"}, "repeat": {"a brand new password"}},
		{"current": {"long enough password"}, "new": {"a brand new password"}, "repeat": {"something else entirely"}},
		{"current": {"long enough password"}, "new": {"short"}, "repeat": {"short"}},
	} {
		if r := hb3.do(t, "POST", "/admin/account/password", bad, nil); r.status != 422 {
			t.Errorf("bad password change %v: %d", bad, r.status)
		}
	}
	if r := hb3.do(t, "POST", "/admin/account/password", url.Values{"current": {"long enough password"}, "new": {"a brand new password"}, "repeat": {"a brand new password"}}, nil); r.status != 303 {
		t.Fatalf("change password: %d", r.status)
	}
	if hb3.get(t, "/admin/account").status != 200 {
		t.Error("the session that changed the password was ended")
	}
	if hb2.get(t, "/admin/").status == 200 && hb1.get(t, "/admin/").status == 200 {
		t.Error("other sessions survived the password change")
	}
	signIn(t, n, "hala@khabar.test", "a brand new password")
	// An admin reset: a new password shown once; every session ends.
	r = n.do(t, "POST", "/admin/users/"+id+"/reset", url.Values{}, nil)
	m := regexp.MustCompile(`<code dir="ltr" class="token">([^<]+)</code>`).FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("reset: %d", r.status)
	}
	if hb3.get(t, "/admin/account").status == 200 {
		t.Error("a reset left a session alive")
	}
	signIn(t, n, "hala@khabar.test", m[1])
	log, _ := n.Store.AuditLog(ctx, 50, 0)
	seen := map[string]bool{}
	for _, e := range log {
		seen[e.Action] = true
	}
	for _, a := range []string{"user.create", "user.role", "user.password", "session.end", "login"} {
		if !seen[a] {
			t.Errorf("no %s in the audit log", a)
		}
	}
}

// startBrowser signs in as email in a browser of its own.
func signIn(t *testing.T, n *node, email, password string) *node {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &node{App: n.App, base: n.base, client: &http.Client{Jar: jar, Timeout: n.client.Timeout, CheckRedirect: n.client.CheckRedirect}}
	if r := b.do(t, "POST", "/admin/login", url.Values{"email": {email}, "password": {password}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("login %s: %d", email, r.status)
	}
	return b
}

// TestUsersRoleMatrix takes every user-administration route as every
// role: only admins go through; an editor, a writer or a moderator gets
// 403 and the accounts stay as they were (a role change by anyone else
// would be a privilege escalation).
func TestUsersRoleMatrix(t *testing.T) {
	n := startNode(t, "")
	ctx := context.Background()
	clients := map[auth.Role]*node{}
	for _, role := range auth.Roles {
		clients[role] = asRole(t, n, role)
	}
	target := auth.User{Email: "target@khabar.test", Name: "هدف", Role: auth.RoleWriter, PasswordHash: "x"}
	if err := n.Store.CreateUser(ctx, &target); err != nil {
		t.Fatal(err)
	}
	tid := itoa(target.ID)
	accounts := func() string {
		t.Helper()
		users, err := n.Store.ListUsers(ctx)
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
		{"sessions", "GET", "/admin/users/" + tid + "/sessions", nil, 200},
		{"audit log", "GET", "/admin/audit", nil, 200},
	}
	for _, c := range cases {
		for _, role := range auth.Roles {
			if role == auth.RoleAdmin {
				continue // an admin's success changes the accounts; see TestUsersRolesAndSessions
			}
			before := accounts()
			if r := clients[role].do(t, c.method, c.path, c.form, nil); r.status != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", c.name, role, r.status)
			}
			if accounts() != before {
				t.Errorf("%s as %s: refused, but the accounts changed", c.name, role)
			}
		}
		if r := clients[auth.RoleAdmin].do(t, c.method, c.path, c.form, nil); r.status != c.ok {
			t.Errorf("%s as admin: %d, want %d", c.name, r.status, c.ok)
		}
	}
}
