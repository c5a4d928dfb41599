package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestService: signing in and out, throttling and tokens, on both
// databases, as the newsroom and the API use them.
func TestService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := auth.NewService(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		u, _ := storetest.Staff(t, s, auth.RoleEditor)

		if _, _, err := svc.Login(ctx, "nobody@khabar.test", storetest.Password, "192.0.2.1"); !errors.Is(err, auth.ErrBadLogin) {
			t.Errorf("unknown account: %v", err)
		}
		if _, _, err := svc.Login(ctx, u.Email, "wrong password", "192.0.2.1"); news.KindOf(err) != news.KindUnauthenticated {
			t.Errorf("wrong password: %v", err)
		}
		token, who, err := svc.Login(ctx, " "+u.Email+" ", storetest.Password, "192.0.2.1")
		if err != nil || who.ID != u.ID {
			t.Fatalf("login: %+v, %v", who, err)
		}
		if got, err := svc.Session(ctx, token); err != nil || got.ID != u.ID {
			t.Errorf("session: %+v, %v", got, err)
		}
		for _, bad := range []string{"", "not-a-token", string(make([]byte, 200))} {
			if _, err := svc.Session(ctx, bad); !errors.Is(err, news.ErrNotFound) {
				t.Errorf("session %.10q: %v", bad, err)
			}
		}
		if err := svc.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Session(ctx, token); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("session after logout: %v", err)
		}

		// Five guesses an account, then refused before the password is
		// looked at, even the right one.
		for range 5 {
			svc.Login(ctx, u.Email, "guess", "192.0.2.2")
		}
		if _, _, err := svc.Login(ctx, u.Email, storetest.Password, "192.0.2.3"); !errors.Is(err, news.ErrTooMany) {
			t.Errorf("sixth login of a guessed account: %v", err)
		}

		if err := svc.Reauthenticate(ctx, &auth.User{ID: u.ID, Email: "other@khabar.test", PasswordHash: who.PasswordHash}, "wrong"); !errors.Is(err, auth.ErrBadPassword) {
			t.Errorf("reauthenticate with a wrong password: %v", err)
		}

		api := storetest.APIToken(t, s, u)
		if got, err := svc.Bearer(ctx, " "+api+" "); err != nil || got.ID != u.ID {
			t.Errorf("bearer: %+v, %v", got, err)
		}
		for _, bad := range []string{"", "forged", api + "x"} {
			if _, err := svc.Bearer(ctx, bad); news.KindOf(err) != news.KindUnauthenticated {
				t.Errorf("bearer %q: %v", bad, err)
			}
		}
	})
}
