package newsroom

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/locale"
	"khabar/internal/media"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/web"
)

// fixture is the newsroom alone on a fresh store, with two sections and
// two bylines (storetest.Seed): no outbox, no job queue, no site. What
// needs those is tested end to end in internal/app.
type fixture struct {
	storetest.Fixture
	store *store.Store
	n     *Newsroom
	h     http.Handler
	// mediaDir holds the library's files.
	mediaDir string
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	return newLoggingFixture(t, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newLoggingFixture is newFixture logging to log.
func newLoggingFixture(t *testing.T, s *store.Store, log *slog.Logger) *fixture {
	t.Helper()
	ctx := context.Background()
	current, err := settings.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := media.OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	n, err := New(Options{Store: s, Settings: current, Auth: auth.NewService(s, log), Media: media.NewLibrary(s, files, log),
		Catalog: locale.For("ar"), Search: search.New(s), Log: log, BaseURL: "http://khabar.test"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Fixture: storetest.Seed(t, s), store: s, n: n, h: mounted(n), mediaDir: dir}
}

// mounted is the newsroom as the app serves it: every request body under
// the general form limit (web.Limit), but uploads, which the newsroom
// bounds itself (see UploadPath).
func mounted(n *Newsroom) http.Handler {
	h := n.Handler()
	limited := web.Limit(n.Error, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == UploadPath {
			h.ServeHTTP(w, r)
			return
		}
		limited.ServeHTTP(w, r)
	})
}

// as is a browser signed in as a new account of role.
func (f *fixture) as(t *testing.T, role auth.Role) (*auth.User, *storetest.Client) {
	t.Helper()
	u, token := storetest.Staff(t, f.store, role)
	return u, f.browser(t, f.h, token)
}

// browser is a client of h with the session token as its cookie ("":
// signed out).
func (f *fixture) browser(t *testing.T, h http.Handler, token string) *storetest.Client {
	c := storetest.NewClient(t, h)
	if token != "" {
		c.SetCookie(cookieName, token)
	}
	return c
}

// signIn is a browser that logged in through the form.
func (f *fixture) signIn(t *testing.T, email, password string) *storetest.Client {
	t.Helper()
	c := storetest.NewClient(t, f.h)
	if r := c.Post("/admin/login", url.Values{"email": {email}, "password": {password}}); r.Status != http.StatusSeeOther {
		t.Fatalf("login %s: %d", email, r.Status)
	}
	return c
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
