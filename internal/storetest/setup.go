package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// testSetup: the set-up token is stable until an admin exists; a wrong
// token is refused and stores nothing; of two submissions with the right
// one, exactly one makes the first admin and saves the settings.
func testSetup(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	// Reading the state makes no token; only the server's start does.
	if tok, open, err := s.SetupState(ctx); tok != "" || !open || err != nil {
		t.Fatalf("fresh store before any start: token %q, open %v, err %v", tok, open, err)
	}
	token, open, err := s.SetupToken(ctx)
	if err != nil || !open || len(token) < 40 {
		t.Fatalf("fresh store: token %q, open %v, err %v", token, open, err)
	}
	if again, _, _ := s.SetupToken(ctx); again != token {
		t.Fatalf("a second call made another token: %q, then %q", token, again)
	}
	if read, _, _ := s.SetupState(ctx); read != token {
		t.Fatalf("the state reads %q, want the token made, %q", read, token)
	}
	kv := map[string]string{"site_name": "صوت المدينة", "lang": "en"}
	admin := func(email string) *auth.User {
		return &auth.User{Email: email, Name: "المديرة", Role: auth.RoleWriter, PasswordHash: "x"}
	}
	if err := s.CompleteSetup(ctx, token+"x", kv, admin("a@khabar.test")); !errors.Is(err, news.ErrForbidden) {
		t.Fatalf("wrong token: %v, want forbidden", err)
	}
	if n, _ := s.CountUsers(ctx); n != 0 {
		t.Fatalf("a refused set-up left %d users", n)
	}

	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CompleteSetup(ctx, token, kv, admin([]string{"a@khabar.test", "b@khabar.test"}[i]))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, news.ErrGone), errors.Is(err, news.ErrForbidden):
		default:
			t.Errorf("losing set-up: %v, want gone or forbidden", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d set-ups succeeded (%v), want exactly one", won, errs)
	}
	users, err := s.ListUsers(ctx)
	if err != nil || len(users) != 1 || users[0].Role != auth.RoleAdmin {
		t.Fatalf("after set-up: %+v %v, want one admin", users, err)
	}
	m, err := s.Settings(ctx)
	if err != nil || m["site_name"] != "صوت المدينة" || m["lang"] != "en" {
		t.Fatalf("settings after set-up: %v %v", m, err)
	}
	if _, open, err := s.SetupToken(ctx); open || err != nil {
		t.Fatalf("set-up still open after it completed (%v)", err)
	}
	if err := s.CompleteSetup(ctx, token, kv, admin("c@khabar.test")); !errors.Is(err, news.ErrGone) {
		t.Fatalf("set-up after completion: %v, want gone", err)
	}
	log, err := s.AuditLog(ctx, 1, 0)
	if err != nil || len(log) != 1 || log[0].Action != "setup.complete" || log[0].UserID != users[0].ID {
		t.Fatalf("audit log: %+v %v", log, err)
	}
}
