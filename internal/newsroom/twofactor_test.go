package newsroom

import (
	"context"
	"encoding/base32"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/locale"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

var ar = locale.For("ar")

// from is a signed-out browser at address ip.
func (f *fixture) from(t *testing.T, ip string) *storetest.Client {
	c := storetest.NewClient(t, f.h)
	c.RemoteAddr = ip + ":4242"
	return c
}

func login(c *storetest.Client, email, password string) storetest.Response {
	return c.Post("/admin/login", url.Values{"email": {email}, "password": {password}})
}

// TestLoginLockout: six wrong passwords from one address do not keep the
// account's holder out from another.
func TestLoginLockout(t *testing.T) { storetest.Each(t, testLoginLockout) }

func testLoginLockout(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	u, _ := storetest.Staff(t, s, auth.RoleEditor)
	attacker := f.from(t, "198.51.100.7")
	for i := range 6 {
		want := map[bool]int{true: http.StatusUnauthorized, false: http.StatusTooManyRequests}[i < 5]
		if r := login(attacker, u.Email, "guess"); r.Status != want {
			t.Errorf("guess %d: %d, want %d", i+1, r.Status, want)
		}
	}
	if r := login(attacker, u.Email, storetest.Password); r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, ar.T("login_throttled")) {
		t.Errorf("the right password from the guessing address: %d", r.Status)
	}
	editor := f.from(t, "203.0.113.20")
	if r := login(editor, u.Email, storetest.Password); r.Status != http.StatusSeeOther {
		t.Fatalf("the right password from the editor's address: %d", r.Status)
	}
	if r := editor.Get("/admin/"); r.Status != http.StatusOK {
		t.Errorf("signed in: %d", r.Status)
	}
}

// TestLoginBurstNotice: ten failures on an account from several
// addresses make one audit entry, in the catalogue's words, and a notice
// on its holder's pages (until read) and on the admins' users list.
func TestLoginBurstNotice(t *testing.T) { storetest.Each(t, testLoginBurstNotice) }

func testLoginBurstNotice(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	u, token := storetest.Staff(t, s, auth.RoleEditor)
	holder := f.browser(t, f.h, token)
	_, admin := f.as(t, auth.RoleAdmin)
	notice := "تكررت محاولات دخول خاطئة إلى حسابك"
	if strings.Contains(holder.Get("/admin/").Body, notice) {
		t.Fatal("a notice before any failure")
	}
	for i := range 13 {
		login(f.from(t, "198.51.100."+itoa(int64(1+i%5))), u.Email, "guess")
	}
	audit := admin.Get("/admin/audit").Body
	if n := strings.Count(audit, ar.T("audit_act_login_burst")); n != 1 {
		t.Errorf("%d burst entries in the audit log, want 1", n)
	}
	if !strings.Contains(audit, "عدد المحاولات الخاطئة خلال ربع ساعة: 10، وعدد العناوين: 5") {
		t.Error("the audit entry does not give the counts in words")
	}
	if r := holder.Get("/admin/"); !strings.Contains(r.Body, notice) || !strings.Contains(r.Body, `action="/admin/account/login-notice"`) {
		t.Errorf("the holder's page lacks the notice: %d", r.Status)
	}
	if r := admin.Get("/admin/users"); !strings.Contains(r.Body, "محاولات دخول خاطئة متكررة في") {
		t.Error("the users list does not mark the account")
	}
	if r := holder.Post("/admin/account/login-notice", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", r.Status)
	}
	if strings.Contains(holder.Get("/admin/").Body, notice) {
		t.Error("the notice is still there after reading it")
	}
}

var (
	secretOnPage  = regexp.MustCompile(`<code dir="ltr" class="token">([A-Z2-7 ]{20,})</code>`)
	recoveryCodes = regexp.MustCompile(`<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>`)
)

// enrol sets up two-factor as c's user does on the account page, and
// returns the secret and the recovery codes the pages showed.
func enrol(t *testing.T, c *storetest.Client) ([]byte, []string) {
	t.Helper()
	if r := c.Post("/admin/account/two-factor", url.Values{}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != accountTwoFactor {
		t.Fatalf("begin: %d %s", r.Status, r.Header.Get("Location"))
	}
	page := c.Get("/admin/account")
	m := secretOnPage.FindStringSubmatch(page.Body)
	if m == nil || !strings.Contains(page.Body, "otpauth://totp/") || !strings.Contains(page.Body, `<svg xmlns="http://www.w3.org/2000/svg" class="qr"`) {
		t.Fatalf("the enrolment page lacks the secret, its URI or its QR code: %d", page.Status)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ReplaceAll(m[1], " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	// Four wrong codes: the fifth would spend the budget the right one needs.
	for _, bad := range []string{"", strings.Repeat("1", 5000), "<script>", wrongCode(codeNow(secret))} {
		if r := c.Post("/admin/account/two-factor/confirm", url.Values{"code": {bad}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, ar.T("err_two_factor_code")) {
			t.Errorf("confirm with %.10q: %d", bad, r.Status)
		}
	}
	r := c.Post("/admin/account/two-factor/confirm", url.Values{"code": {codeNow(secret)}})
	var codes []string
	for _, m := range recoveryCodes.FindAllStringSubmatch(r.Body, -1) {
		codes = append(codes, m[1])
	}
	if r.Status != http.StatusOK || len(codes) != auth.RecoveryCodes {
		t.Fatalf("confirm: %d with %d recovery codes", r.Status, len(codes))
	}
	if again := c.Get("/admin/account"); recoveryCodes.MatchString(again.Body) || !strings.Contains(again.Body, ar.T("two_factor_is_on")) {
		t.Error("the recovery codes show twice, or two-factor does not show as on")
	}
	return secret, codes
}

func codeNow(secret []byte) string { return auth.TOTPCode(secret, auth.TOTPStep(time.Now())) }

// codeNext is the code of the next step: good now (one step of skew) and
// not yet used.
func codeNext(secret []byte) string { return auth.TOTPCode(secret, auth.TOTPStep(time.Now())+1) }

// wrongCode is code with its first digit changed.
func wrongCode(code string) string { return string('0'+(code[0]-'0'+1)%10) + code[1:] }

// TestTwoFactorSignIn: enrolment, then signing in in two steps; codes
// good once; recovery codes single use; forged half-open sessions
// refused; turning it off takes the password.
func TestTwoFactorSignIn(t *testing.T) { storetest.Each(t, testTwoFactorSignIn) }

func testTwoFactorSignIn(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	u, token := storetest.Staff(t, s, auth.RoleEditor)
	secret, codes := enrol(t, f.browser(t, f.h, token))

	// step one signs in with the password in a new browser: the code
	// form, and no session yet.
	stepOne := func() *storetest.Client {
		t.Helper()
		c := f.from(t, "203.0.113.5")
		r := login(c, u.Email, storetest.Password)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `action="/admin/login/code"`) {
			t.Fatalf("password step: %d", r.Status)
		}
		if r := c.Get("/admin/"); r.Status != http.StatusSeeOther {
			t.Fatalf("a half-open session opened the newsroom: %d", r.Status)
		}
		if r := c.Get(codePath); r.Status != http.StatusOK {
			t.Fatalf("the code form again: %d", r.Status)
		}
		return c
	}
	code := func(c *storetest.Client, code string) storetest.Response {
		return c.Post(codePath, url.Values{"code": {code}, "next": {"/admin/ticker"}})
	}
	// One code, sent twice: computed again, it would be the next step's
	// whenever a 30-second step ends between the two.
	next := codeNext(secret)
	c := stepOne()
	if r := code(c, wrongCode(next)); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, ar.T("login_code_wrong")) {
		t.Errorf("a wrong code: %d", r.Status)
	}
	if r := code(c, next); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/ticker" {
		t.Fatalf("the right code: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := c.Get("/admin/"); r.Status != http.StatusOK {
		t.Errorf("signed in with the code: %d", r.Status)
	}
	if r := code(stepOne(), next); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, ar.T("login_code_wrong")) {
		t.Errorf("the same code replayed: %d", r.Status)
	}
	// Recovery codes: each once.
	if r := code(stepOne(), strings.ToUpper(codes[3])); r.Status != http.StatusSeeOther {
		t.Errorf("a recovery code: %d", r.Status)
	}
	if r := code(stepOne(), codes[3]); r.Status != http.StatusUnauthorized {
		t.Errorf("a recovery code twice: %d", r.Status)
	}
	// Forged or missing half-open sessions: back to the login form.
	for name, cookie := range map[string]string{"none": "", "forged": "forged", "a session token": token, "long": strings.Repeat("x", 4000)} {
		c := f.from(t, "203.0.113.9")
		if cookie != "" {
			c.SetCookie(codeCookie, cookie)
		}
		if r := code(c, codeNext(secret)); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, ar.T("login_code_expired")) || !strings.Contains(r.Body, `name="password"`) {
			t.Errorf("%s half-open session: %d", name, r.Status)
		}
	}
	if r := f.from(t, "203.0.113.9").Get(codePath); r.Status != http.StatusSeeOther {
		t.Errorf("the code form without a sign-in half way: %d", r.Status)
	}

	// Turning it off needs the password.
	if r := c.Post("/admin/account/two-factor/off", url.Values{"password": {"wrong password"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, ar.T("err_wrong_password")) {
		t.Errorf("off with a wrong password: %d", r.Status)
	}
	if r := c.Post("/admin/account/two-factor/off", url.Values{"password": {storetest.Password}}); r.Status != http.StatusSeeOther {
		t.Errorf("off: %d", r.Status)
	}
	if r := c.Post("/admin/account/two-factor/off", url.Values{"password": {storetest.Password}}); r.Status != http.StatusConflict {
		t.Errorf("off when off: %d", r.Status)
	}
	if r := login(f.from(t, "203.0.113.6"), u.Email, storetest.Password); r.Status != http.StatusSeeOther {
		t.Errorf("a password alone after turning it off: %d", r.Status)
	}
}

// TestTwoFactorRequired: with the setting on, an editor or admin without
// two-factor reaches only the enrolment until they have it; writers and
// moderators are not held.
func TestTwoFactorRequired(t *testing.T) { storetest.Each(t, testTwoFactorRequired) }

func testTwoFactorRequired(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, admin := f.as(t, auth.RoleAdmin)
	_, editor := f.as(t, auth.RoleEditor)
	_, writer := f.as(t, auth.RoleWriter)
	form := f.settingsForm(t)
	form.Set("two_factor_required", "on")
	if r := editor.Post("/admin/settings", form); r.Status != http.StatusForbidden {
		t.Errorf("an editor set the requirement: %d", r.Status)
	}
	if r := admin.Post("/admin/settings", form); r.Status != http.StatusSeeOther {
		t.Fatalf("settings: %d", r.Status)
	}
	if err := f.n.settings.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*storetest.Client{"editor": editor, "admin": admin} {
		if r := c.Get("/admin/"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != accountTwoFactor {
			t.Errorf("%s: the dashboard: %d %s", name, r.Status, r.Header.Get("Location"))
		}
		if r := c.Post("/admin/articles/new", articleForm(f.Article("خبر"), "save")); r.Status != http.StatusForbidden {
			t.Errorf("%s: saving an article: %d", name, r.Status)
		}
		if r := c.Post("/admin/account/password", url.Values{"current": {storetest.Password}, "new": {"another long password"}, "repeat": {"another long password"}}); r.Status != http.StatusForbidden {
			t.Errorf("%s: changing the password: %d", name, r.Status)
		}
		page := c.Get("/admin/account")
		if page.Status != http.StatusOK || !strings.Contains(page.Body, ar.T("two_factor_required_notice")) || strings.Contains(page.Body, `action="/admin/account/password"`) {
			t.Errorf("%s: the account page: %d", name, page.Status)
		}
	}
	if r := writer.Get("/admin/"); r.Status != http.StatusOK {
		t.Errorf("a writer is held: %d", r.Status)
	}
	enrol(t, editor)
	if r := editor.Get("/admin/"); r.Status != http.StatusOK {
		t.Errorf("the editor after enrolling: %d", r.Status)
	}
	if r := editor.Post("/admin/account/two-factor/off", url.Values{"password": {storetest.Password}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, ar.T("err_two_factor_required")) {
		t.Errorf("turning it off while required: %d", r.Status)
	}
}

// TestTwoFactorRoleMatrix: anyone signed in sets up their own two-factor;
// only admins turn off someone else's; forged ids are not found.
func TestTwoFactorRoleMatrix(t *testing.T) { storetest.Each(t, testTwoFactorRoleMatrix) }

func testTwoFactorRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	withTwoFactor := func() string {
		u, _ := storetest.Staff(t, s, auth.RoleWriter)
		if err := s.SetPendingTOTP(ctx, u.ID, "sealed"); err != nil {
			t.Fatal(err)
		}
		if err := s.EnableTOTP(ctx, u.ID, "sealed", 1, nil, u.Actor()); err != nil {
			t.Fatal(err)
		}
		return itoa(u.ID)
	}
	users := func(t *testing.T) string { return stateOf(t, s.ListUsers) }
	f.roleMatrix(t, auth.PermViewNewsroom, users, []routeCase{
		{"account page", "GET", func() string { return "/admin/account" }, nil, 200},
		{"begin", "POST", func() string { return "/admin/account/two-factor" }, url.Values{}, 303},
		{"confirm a wrong code", "POST", func() string { return "/admin/account/two-factor/confirm" }, url.Values{"code": {"abc"}}, 422},
		{"off when off", "POST", func() string { return "/admin/account/two-factor/off" }, url.Values{"password": {storetest.Password}}, 409},
		{"read the login notice", "POST", func() string { return "/admin/account/login-notice" }, url.Values{}, 303},
	})
	f.roleMatrix(t, auth.PermManageSettings, users, []routeCase{
		{"turn off someone's", "POST", func() string { return "/admin/users/" + withTwoFactor() + "/two-factor/off" }, url.Values{}, 303},
	})
	admin, c := f.as(t, auth.RoleAdmin)
	for _, path := range []string{"/admin/users/999999/two-factor/off", "/admin/users/abc/two-factor/off", "/admin/users/-1/two-factor/off", "/admin/users/1%00/two-factor/off"} {
		if r := c.Post(path, url.Values{}); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.Status)
		}
	}
	if r := c.Post("/admin/users/"+itoa(admin.ID)+"/two-factor/off", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("an admin's own, without the password: %d", r.Status)
	}
}
