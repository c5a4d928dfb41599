package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"khabar/internal/auth"
	"khabar/internal/comment"
	"khabar/internal/store"
)

// sharedBuckets keeps rate limits in the database for every node, with
// each key (an address, an account) stored as a keyed hash: the table
// never holds a reader's address.
type sharedBuckets struct {
	store *store.Store
	key   []byte
}

func (b sharedBuckets) TakeToken(ctx context.Context, scope, key string, burst int, every time.Duration, now time.Time) (bool, error) {
	return b.store.TakeToken(ctx, scope, b.hash(key), burst, every, now)
}

func (b sharedBuckets) ResetToken(ctx context.Context, scope, key string) error {
	return b.store.ResetToken(ctx, scope, b.hash(key))
}

func (b sharedBuckets) hash(key string) string {
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(key))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// shareLimits makes the limits that must hold for the whole site shared
// when several nodes may run, on PostgreSQL: the login budgets (else an
// attacker gets them once per node) and the comment limits (else a
// spammer spreads over the nodes). SQLite is one node, whose own buckets
// are the site's. The search budget, push subscriptions and live streams
// protect the node that serves them, so they stay per node; the e-mail
// sign-up limit stays per node too, at three mails per ten minutes per
// address and recipient on each.
func shareLimits(ctx context.Context, s *store.Store, log *slog.Logger, signIn *auth.Service, comments *comment.Service) error {
	if s.Dialect() != store.Postgres {
		return nil
	}
	key, err := s.Key(ctx, "rate_limit_key")
	if err != nil {
		return err
	}
	b := sharedBuckets{store: s, key: key}
	signIn.ShareLimits(b)
	comments.ByIP.Share(b, "comment_address", log)
	comments.ByArticle.Share(b, "comment_article", log)
	return nil
}
