package storetest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// testLastAdminRace: two admins demoting each other at the same moment
// leave one admin, on either database, every time.
func testLastAdminRace(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	var admins [2]auth.User
	for i := range admins {
		admins[i] = auth.User{Email: "race" + string(rune('a'+i)) + "@example.com", Name: "مدير", Role: auth.RoleAdmin, PasswordHash: "x"}
		if err := s.CreateUser(ctx, &admins[i]); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 10 {
		for _, a := range admins {
			if err := s.SetUserRole(ctx, a.ID, auth.RoleAdmin, news.Actor{}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, len(admins))
		for i, a := range admins {
			wg.Go(func() { errs[i] = s.SetUserRole(ctx, a.ID, auth.RoleEditor, news.Actor{UserID: admins[1-i].ID}) })
		}
		wg.Wait()
		users, err := s.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		left := 0
		for _, u := range users {
			if u.Role == auth.RoleAdmin {
				left++
			}
		}
		if left != 1 {
			t.Fatalf("round %d: %d admins left (%v)", round, left, errs)
		}
		for _, err := range errs {
			if err != nil && !errors.Is(err, store.ErrLastAdmin) {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

// testTokensFollowAccess: a password reset, a demotion to a role that may
// not hold API tokens and a disabled account each revoke the user's
// tokens, with an audit entry naming them; a demotion that keeps the
// right leaves them working. A disabled account has no session and
// cannot open one; enabled again, it signs in, its tokens still revoked.
func testTokensFollowAccess(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	admin, _ := Staff(t, s, auth.RoleAdmin)
	by := admin.Actor()
	u, session := Staff(t, s, auth.RoleAdmin)
	works := func(token string) bool {
		_, err := s.APITokenUser(ctx, auth.HashToken(token))
		if err != nil && !errors.Is(err, news.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	// revoked lists the tokens each logged revocation names.
	var revoked []string
	revocations := func() int {
		log, err := s.AuditLog(ctx, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		revoked = nil
		for _, e := range log {
			if e.Action == "user.tokens_revoke" && e.Target == "user "+strconv.FormatInt(u.ID, 10) {
				revoked = append(revoked, e.Detail)
			}
		}
		return len(revoked)
	}

	feed, script := APIToken(t, s, u), APIToken(t, s, u)
	if err := s.SetUserPassword(ctx, u.ID, "new hash", "", by); err != nil {
		t.Fatal(err)
	}
	if works(feed) || works(script) || revocations() != 1 || revoked[0] != "test, test" {
		t.Fatalf("after a reset: tokens work %v %v, revocations logged %q", works(feed), works(script), revoked)
	}
	// Nothing left to revoke: no entry.
	if err := s.SetUserPassword(ctx, u.ID, "newer hash", "", by); err != nil || revocations() != 1 {
		t.Fatalf("a reset with no tokens: %v, %d revocations logged", err, revocations())
	}

	kept := APIToken(t, s, u)
	if err := s.SetUserRole(ctx, u.ID, auth.RoleEditor, by); err != nil {
		t.Fatal(err)
	}
	if !works(kept) {
		t.Error("an admin made editor, who may hold tokens, lost them")
	}
	if err := s.SetUserRole(ctx, u.ID, auth.RoleWriter, by); err != nil {
		t.Fatal(err)
	}
	if works(kept) || revocations() != 2 {
		t.Errorf("an editor made writer: token works %v, %d revocations logged", works(kept), revocations())
	}

	if err := s.SetUserRole(ctx, u.ID, auth.RoleEditor, by); err != nil {
		t.Fatal(err)
	}
	last := APIToken(t, s, u)
	if _, err := s.SessionUser(ctx, auth.HashToken(session)); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("the reset left a session: %v", err)
	}
	_, live, _ := auth.NewToken()
	if err := s.CreateSession(ctx, live, u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserDisabled(ctx, u.ID, true, by); err != nil {
		t.Fatal(err)
	}
	if works(last) || revocations() != 3 {
		t.Errorf("a disabled account: token works %v, %d revocations logged", works(last), revocations())
	}
	if _, err := s.SessionUser(ctx, live); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a disabled account's session: %v", err)
	}
	_, again, _ := auth.NewToken()
	if err := s.CreateSession(ctx, again, u.ID, time.Now().Add(time.Hour)); !errors.Is(err, auth.ErrDisabled) {
		t.Errorf("a session for a disabled account: %v", err)
	}
	if got, err := s.UserByID(ctx, u.ID); err != nil || !got.Disabled {
		t.Errorf("the account read back: %+v %v", got, err)
	}
	if err := s.SetUserDisabled(ctx, u.ID, false, by); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, again, u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Errorf("a session for the account enabled again: %v", err)
	}
	if works(last) {
		t.Error("enabling the account brought its token back")
	}
	if err := s.SetUserDisabled(ctx, 987654, true, by); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("disabling a missing account: %v", err)
	}
	log, _ := s.AuditLog(ctx, 100, 0)
	seen := map[string]bool{}
	for _, e := range log {
		seen[e.Action] = true
	}
	if !seen["user.disable"] || !seen["user.enable"] {
		t.Errorf("disabling and enabling are not both in the audit log: %v", seen)
	}
}

// testLastAdminStaysEnabled: the newsroom keeps an admin who can sign
// in: the last enabled admin cannot be disabled, nor demoted while the
// other admins are disabled.
func testLastAdminStaysEnabled(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	a, _ := Staff(t, s, auth.RoleAdmin)
	b, _ := Staff(t, s, auth.RoleAdmin)
	if err := s.SetUserDisabled(ctx, b.ID, true, a.Actor()); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserDisabled(ctx, a.ID, true, a.Actor()); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("disabling the last enabled admin: %v", err)
	}
	if err := s.SetUserRole(ctx, a.ID, auth.RoleEditor, a.Actor()); !errors.Is(err, store.ErrLastAdmin) {
		t.Errorf("demoting the last enabled admin: %v", err)
	}
	// A disabled admin may lose the role: it changes nobody's access.
	if err := s.SetUserRole(ctx, b.ID, auth.RoleEditor, a.Actor()); err != nil {
		t.Errorf("demoting a disabled admin: %v", err)
	}
}
