package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TakeToken spends a token of the bucket (scope, key), which holds burst
// tokens and gains one every every; false when none is left. One
// statement, so nodes taking at once never both get the last token. now
// is the taking node's clock.
func (s *Store) TakeToken(ctx context.Context, scope, key string, burst int, every time.Duration, now time.Time) (bool, error) {
	least := "LEAST"
	if s.dialect == SQLite {
		least = "MIN" // SQLite's MIN of several arguments is LEAST
	}
	refilled := least + "(?, rate_buckets.tokens + (? - rate_buckets.at) / ?)"
	at, per, full := float64(now.UnixMicro())/1e6, every.Seconds(), float64(burst)
	var left float64
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO rate_buckets (scope, key, tokens, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (scope, key) DO UPDATE SET tokens = `+refilled+` - 1, at = ?
		WHERE `+refilled+` >= 1
		RETURNING tokens`),
		scope, key, full-1, at, full, at, per, at, full, at, per).Scan(&left)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("take a %s token: %w", scope, err)
	}
	return true, nil
}

// ResetToken fills the bucket (scope, key) again, as after a right
// password.
func (s *Store) ResetToken(ctx context.Context, scope, key string) error {
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM rate_buckets WHERE scope = ? AND key = ?"), scope, key); err != nil {
		return fmt.Errorf("reset a %s bucket: %w", scope, err)
	}
	return nil
}

// DeleteIdleBuckets removes buckets untouched for a day: full again
// long since, they only take room.
func (s *Store) DeleteIdleBuckets(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q("DELETE FROM rate_buckets WHERE at < ?"), float64(now.Add(-24*time.Hour).Unix()))
	if err != nil {
		return 0, fmt.Errorf("delete idle rate buckets: %w", err)
	}
	return res.RowsAffected()
}
