package newsroom

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/web"
)

// TestLogsKeepSecrets signs in, wrongly and rightly, with every kind of
// secret a request carries (password, a password typed as the e-mail,
// session cookie, Authorization header, token in the query) from a
// full address, and reads every line the newsroom and the access log
// wrote: the address appears only as its /24, no secret at all, and each
// line names its request.
func TestLogsKeepSecrets(t *testing.T) { storetest.Each(t, testLogsKeepSecrets) }

func testLogsKeepSecrets(t *testing.T, s *store.Store) {
	var logs bytes.Buffer
	log := slog.New(web.LogHandler{Handler: slog.NewTextHandler(&logs, nil)})
	f := newLoggingFixture(t, s, log)
	u, _ := storetest.Staff(t, s, auth.RoleEditor)
	c := storetest.NewClient(t, web.RequestID(web.AccessLog(log, f.h)))
	c.RemoteAddr = "203.0.113.77:40000"
	c.Header.Set("Authorization", "Bearer SECRET-bearer")
	c.SetCookie(cookieName, "SECRET-cookie")
	for _, form := range []url.Values{
		{"email": {u.Email}, "password": {"SECRET-wrong-password"}},
		{"email": {"SECRET-typed-as-email"}, "password": {"x"}},
		{"email": {u.Email}, "password": {storetest.Password}},
	} {
		c.Post("/admin/login?token=SECRET-query", form)
	}
	if r := c.Get("/admin/"); r.Status != http.StatusOK {
		t.Fatalf("signed in: %d", r.Status)
	}
	out := logs.String()
	for _, secret := range []string{"secret", storetest.Password, "203.0.113.77"} {
		if strings.Contains(strings.ToLower(out), secret) { // the e-mail is logged lower-cased
			t.Errorf("logs hold %q:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var failed, signedIn int
	for _, l := range lines {
		if !strings.Contains(l, "request_id=") {
			t.Errorf("line without its request: %s", l)
		}
		if strings.Contains(l, "msg=\"login failed") && strings.Contains(l, "net=203.0.113.0/24") {
			failed++
		}
		if strings.Contains(l, "msg=login ") && strings.Contains(l, "net=203.0.113.0/24") {
			signedIn++
		}
	}
	if failed != 2 || signedIn != 1 {
		t.Errorf("%d failed and %d good logins logged with their network, want 2 and 1:\n%s", failed, signedIn, out)
	}
}
