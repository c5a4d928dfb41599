package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// testIdempotencyKeys: one of many concurrent claims of a key wins; the
// others wait (pending), then get the kept answer; another request on the
// key is refused; a claim never finished passes on after its lease, and
// a key lapses after its time.
func testIdempotencyKeys(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	u, _ := Staff(t, s, auth.RoleWriter)
	var (
		wg   sync.WaitGroup
		won  atomic.Int32
		busy atomic.Int32
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := s.ClaimKey(ctx, u.ID, "k", "h1", time.Hour, time.Minute)
			switch {
			case a == nil && err == nil:
				won.Add(1)
			case errors.Is(err, store.ErrKeyPending):
				busy.Add(1)
			default:
				t.Errorf("concurrent claim: %v %v", a, err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 || busy.Load() != 7 {
		t.Fatalf("8 concurrent claims: %d won, %d pending", won.Load(), busy.Load())
	}
	if _, err := s.ClaimKey(ctx, u.ID, "k", "h2", time.Hour, time.Minute); !errors.Is(err, store.ErrKeyReused) {
		t.Errorf("another request on the key: %v", err)
	}
	// A lease of zero has run out: the claim passes to this request.
	if a, err := s.ClaimKey(ctx, u.ID, "k", "h1", time.Hour, 0); a != nil || err != nil {
		t.Errorf("after the lease: %v %v", a, err)
	}
	if err := s.FinishKey(ctx, u.ID, "k", store.Answer{Status: 201, Headers: map[string]string{"Location": "/x"}, Body: []byte(`{"id":1}`)}); err != nil {
		t.Fatal(err)
	}
	a, err := s.ClaimKey(ctx, u.ID, "k", "h1", time.Hour, 0)
	if err != nil || a == nil || a.Status != 201 || a.Headers["Location"] != "/x" || string(a.Body) != `{"id":1}` {
		t.Errorf("finished key: %+v %v", a, err)
	}
	// A released claim is free at once.
	if a, err := s.ClaimKey(ctx, u.ID, "r", "h", time.Hour, time.Minute); a != nil || err != nil {
		t.Fatal(a, err)
	}
	if err := s.ReleaseKey(ctx, u.ID, "r"); err != nil {
		t.Fatal(err)
	}
	if a, err := s.ClaimKey(ctx, u.ID, "r", "h", time.Hour, time.Minute); a != nil || err != nil {
		t.Errorf("after release: %v %v", a, err)
	}
	if n, err := s.DeleteExpiredKeys(ctx, time.Now().Add(2*time.Hour)); err != nil || n != 2 {
		t.Errorf("expired: %d %v", n, err)
	}
	if a, err := s.ClaimKey(ctx, u.ID, "k", "h2", time.Hour, time.Minute); a != nil || err != nil {
		t.Errorf("after expiry: %v %v", a, err)
	}
}

// testTagWrites: a tag made by name, found again by its slug, renamed
// with its slug kept; names without letters and unknown ids refused.
func testTagWrites(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	tag, created, err := s.AddTag(ctx, "الانتخابات", news.Actor{Name: "محرر"})
	if err != nil || !created || tag.ID == 0 {
		t.Fatalf("add: %+v %v %v", tag, created, err)
	}
	again, created, err := s.AddTag(ctx, "  الانتخابات ", news.Actor{})
	if err != nil || created || again.ID != tag.ID {
		t.Errorf("add again: %+v %v %v", again, created, err)
	}
	renamed, err := s.RenameTag(ctx, tag.ID, "الانتخابات النيابية", news.Actor{Name: "محرر"})
	if err != nil || renamed.Slug != tag.Slug || renamed.Name != "الانتخابات النيابية" {
		t.Errorf("rename: %+v %v", renamed, err)
	}
	if got, err := s.TagBySlug(ctx, tag.Slug); err != nil || got.Name != "الانتخابات النيابية" {
		t.Errorf("renamed tag: %+v %v", got, err)
	}
	if _, _, err := s.AddTag(ctx, "؟!", news.Actor{}); news.KindOf(err) != news.KindInvalid {
		t.Errorf("no letters: %v", err)
	}
	if _, err := s.RenameTag(ctx, 987654, "x", news.Actor{}); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("no such tag: %v", err)
	}
}
