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
