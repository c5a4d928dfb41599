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
)

// fixture is the newsroom alone on a fresh store, with two sections and
// two bylines (storetest.Seed): no outbox, no job queue, no site. What
// needs those is tested end to end in internal/app.
type fixture struct {
	storetest.Fixture
	store *store.Store
	n     *Newsroom
	h     http.Handler
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	current, err := settings.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	files, err := media.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := New(Options{Store: s, Settings: current, Auth: auth.NewService(s, log), Media: media.NewLibrary(s, files, log),
		Catalog: locale.For("ar"), Search: search.New(s), Log: log, BaseURL: "http://khabar.test"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Fixture: storetest.Seed(t, s), store: s, n: n, h: n.Handler()}
}

// as is a browser signed in as a new account of role.
func (f *fixture) as(t *testing.T, role auth.Role) (*auth.User, *storetest.Client) {
	t.Helper()
	u, token := storetest.Staff(t, f.store, role)
	c := storetest.NewClient(t, f.h)
	c.SetCookie(cookieName, token)
	return u, c
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
