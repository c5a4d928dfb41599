package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestSetup(t *testing.T) { storetest.Each(t, testSetup) }

// testSetup: the set-up page answers only its token and only before an
// admin exists; every bad field is named in Arabic and stores nothing;
// the right form names the outlet, makes the admin and signs them in.
func testSetup(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	// Before the server has made a token, the pages make none and open
	// for no token at all.
	c0 := storetest.NewClient(t, f.h)
	c0.Get("/admin/login")
	if r := c0.Get("/admin/setup?token="); r.Status != http.StatusForbidden {
		t.Errorf("set-up page with no token made: %d, want 403", r.Status)
	}
	if tok, _, _ := s.SetupState(ctx); tok != "" {
		t.Fatalf("a page made the set-up token %q", tok)
	}
	token, open, err := s.SetupToken(ctx)
	if err != nil || !open {
		t.Fatalf("set-up token: %v %v", open, err)
	}
	c := storetest.NewClient(t, f.h)
	for _, q := range []string{"", "?token=", "?token=" + token[:len(token)-1], "?token=" + url.QueryEscape(token+"\u202e")} {
		if r := c.Get("/admin/setup" + q); r.Status != http.StatusForbidden {
			t.Errorf("set-up page with %q: %d, want 403", q, r.Status)
		}
	}
	if r := c.Get("/admin/setup?token=" + token); r.Status != 200 || !strings.Contains(r.Body, "إعداد المنصة") || !strings.Contains(r.Body, `value="`+token+`"`) {
		t.Fatalf("set-up page: %d\n%s", r.Status, r.Body)
	}
	if r := c.Get("/admin/login"); !strings.Contains(r.Body, "لم تُعدّ هذه المنصة بعد") {
		t.Errorf("the login page does not point to set-up:\n%s", r.Body)
	}

	good := url.Values{"token": {token}, "site_name": {"صوت المدينة"}, "lang": {"ar"}, "time_zone": {"Africa/Cairo"},
		"month_style": {"egypt"}, "name": {"هالة الأحمد"}, "email": {"Hala@Khabar.test"}, "password": {"long enough password"}}
	with := func(key, value string) url.Values {
		v := url.Values{}
		for k, vs := range good {
			v[k] = vs
		}
		v.Set(key, value)
		return v
	}
	cases := []struct {
		name   string
		form   url.Values
		hdr    http.Header
		status int
		want   string
	}{
		{"wrong token", with("token", "guess"), nil, 403, ""},
		{"cross-site", good, crossSite, 403, ""},
		{"no outlet name", with("site_name", "  "), nil, 422, "هذا الحقل مطلوب"},
		{"outlet name of bidi controls", with("site_name", "\u202e\u2066"), nil, 422, "هذا الحقل مطلوب"},
		{"long outlet name", with("site_name", strings.Repeat("خ", 301)), nil, 422, "أطول من المسموح"},
		{"unknown language", with("lang", "fr"), nil, 422, "قيمة غير معروفة"},
		{"no language", with("lang", ""), nil, 422, "هذا الحقل مطلوب"},
		{"unknown time zone", with("time_zone", "Mars/Olympus"), nil, 422, "منطقة زمنية غير معروفة"},
		{"server's own zone", with("time_zone", "Local"), nil, 422, "منطقة زمنية غير معروفة"},
		{"forged month style", with("month_style", "<script>"), nil, 422, "قيمة غير معروفة"},
		{"no admin name", with("name", "\u200f"), nil, 422, "هذا الحقل مطلوب"},
		{"long admin name", with("name", strings.Repeat("ه", 121)), nil, 422, "أطول من المسموح"},
		{"bad email", with("email", "hala@"), nil, 422, "البريد الإلكتروني غير صحيح"},
		{"short password", with("password", "short"), nil, 422, "10 أحرف"},
	}
	for _, tc := range cases {
		r := send(c, "POST", "/admin/setup", tc.form, tc.hdr)
		if r.Status != tc.status || !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: %d, want %d with %q", tc.name, r.Status, tc.status, tc.want)
		}
		if strings.Contains(r.Body, "long enough password") {
			t.Errorf("%s: the page sent the password back", tc.name)
		}
		if n, _ := s.CountUsers(ctx); n != 0 {
			t.Fatalf("%s: %d accounts stored", tc.name, n)
		}
		if m, _ := s.Settings(ctx); len(m) != 0 {
			t.Fatalf("%s: settings stored: %v", tc.name, m)
		}
	}

	r := c.Post("/admin/setup", good)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/?done=setup" {
		t.Fatalf("set-up: %d to %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := c.Get("/admin/?done=setup"); r.Status != 200 || !strings.Contains(r.Body, "اكتمل الإعداد") || !strings.Contains(r.Body, "هالة الأحمد") {
		t.Fatalf("the new admin's first page: %d\n%s", r.Status, r.Body)
	}
	u, err := s.UserByEmail(ctx, "hala@khabar.test")
	if err != nil || u.Role != auth.RoleAdmin || auth.VerifyPassword(u.PasswordHash, "long enough password") != nil {
		t.Fatalf("the first admin: %+v %v", u, err)
	}
	m, err := s.Settings(ctx)
	if err != nil || m["site_name"] != "صوت المدينة" || m["lang"] != "ar" || m["time_zone"] != "Africa/Cairo" || m["month_style"] != "egypt" {
		t.Fatalf("settings after set-up: %v %v", m, err)
	}
	// Gone for good, for the same token and any other.
	for _, q := range []string{"?token=" + token, ""} {
		if r := c.Get("/admin/setup" + q); r.Status != http.StatusGone || !strings.Contains(r.Body, "اكتمل إعداد هذه المنصة") {
			t.Errorf("set-up page after set-up (%q): %d", q, r.Status)
		}
	}
	if r := storetest.NewClient(t, f.h).Post("/admin/setup", with("email", "other@khabar.test")); r.Status != http.StatusGone {
		t.Errorf("a second set-up: %d, want 410", r.Status)
	}
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("%d accounts after a second set-up, want 1", n)
	}
	if r := c.Get("/admin/login"); strings.Contains(r.Body, "لم تُعدّ") {
		t.Errorf("the login page still points to set-up")
	}
}
