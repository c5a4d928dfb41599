package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/store"
)

// testRateBuckets: a shared token bucket gives its burst, then refuses
// until the refill, per key and scope; a reset fills it; takers at the
// same moment never share the last token.
func testRateBuckets(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	take := func(scope, key string, at time.Time) bool {
		t.Helper()
		ok, err := s.TakeToken(ctx, scope, key, 3, time.Minute, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for i := range 3 {
		if !take("login", "a", now) {
			t.Fatalf("token %d of a burst of 3 refused", i+1)
		}
	}
	if take("login", "a", now.Add(time.Second)) {
		t.Error("a fourth token within the minute")
	}
	if !take("login", "b", now) || !take("comment", "a", now) {
		t.Error("another key or scope shares the empty bucket")
	}
	if !take("login", "a", now.Add(61*time.Second)) || take("login", "a", now.Add(62*time.Second)) {
		t.Error("a minute refills one token, and only one")
	}
	if err := s.ResetToken(ctx, "login", "a"); err != nil {
		t.Fatal(err)
	}
	if !take("login", "a", now.Add(63*time.Second)) {
		t.Error("a reset bucket refuses")
	}
	if n, err := s.DeleteIdleBuckets(ctx, now.Add(25*time.Hour)); err != nil || n != 3 {
		t.Errorf("idle buckets deleted: %d, %v; want 3", n, err)
	}

	var (
		wg  sync.WaitGroup
		got atomic.Int32
	)
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.TakeToken(ctx, "race", "x", 5, time.Hour, now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				got.Add(1)
			}
		}()
	}
	wg.Wait()
	if got.Load() != 5 {
		t.Errorf("12 takers at once of a burst of 5 got %d tokens", got.Load())
	}
}
