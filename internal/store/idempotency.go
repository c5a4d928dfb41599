package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Answer is a response kept for an Idempotency-Key: what a retry of the
// same request gets again.
type Answer struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Refusals of ClaimKey. Neither is a domain error: only the API's
// Idempotency-Key has them, and it answers each its own way.
var (
	// ErrKeyReused: the key was used by a different request.
	ErrKeyReused = errors.New("idempotency key used for another request")
	// ErrKeyPending: the first request with the key is still being
	// carried out.
	ErrKeyPending = errors.New("idempotency key in use by a request still running")
)

// ClaimKey makes user's key, for the request whose hash is given, theirs
// to carry out: nil, nil when this is the first request with the key
// (the caller then calls FinishKey or ReleaseKey). A retry of a finished
// request gets its answer; a retry while the first still runs
// ErrKeyPending; the key on another request ErrKeyReused. A key older
// than ttl counts as new; one whose request was claimed longer than lease
// ago and never finished (its node died) is given to this request. One
// INSERT decides between concurrent requests, so only one carries it out
// on any number of nodes; the common case, a new key, is that INSERT
// alone.
func (s *Store) ClaimKey(ctx context.Context, user int64, key, hash string, ttl, lease time.Duration) (*Answer, error) {
	for range 2 {
		t := now()
		res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id, key) DO NOTHING`), user, key, hash, t, t.Add(ttl))
		if err != nil {
			return nil, fmt.Errorf("idempotency key: %w", mapConstraint(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("idempotency key: %w", err)
		} else if n == 1 {
			return nil, nil
		}
		var (
			stored, headers  string
			done             bool
			a                Answer
			created, expires time.Time
		)
		err = s.db.QueryRowContext(ctx, s.q("SELECT request_hash, done, status, headers, body, created_at, expires_at FROM idempotency_keys WHERE user_id = ? AND key = ?"), user, key).
			Scan(&stored, &done, &a.Status, &headers, &a.Body, &created, &expires)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue // released or lapsed since the INSERT: try again
		case err != nil:
			return nil, fmt.Errorf("idempotency key: %w", err)
		case expires.Before(t) || !done && created.Before(t.Add(-lease)):
			// The key has lapsed, or its request was abandoned: it is
			// this request's, unless another took it first (the DELETE
			// names the row as read).
			if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at = ? AND done = ?"),
				user, key, created, done); err != nil {
				return nil, fmt.Errorf("idempotency key: %w", err)
			}
			continue
		case stored != hash:
			return nil, ErrKeyReused
		case !done:
			return nil, ErrKeyPending
		}
		if err := json.Unmarshal([]byte(headers), &a.Headers); err != nil {
			return nil, fmt.Errorf("idempotency key: stored headers: %w", err)
		}
		return &a, nil
	}
	// Taken and lost twice in a row: someone else's request holds it now.
	return nil, ErrKeyPending
}

// FinishKey keeps a as the answer to user's key, claimed by ClaimKey.
func (s *Store) FinishKey(ctx context.Context, user int64, key string, a Answer) error {
	headers, err := json.Marshal(a.Headers)
	if err != nil {
		return err
	}
	if a.Body == nil {
		a.Body = []byte{}
	}
	_, err = s.db.ExecContext(ctx, s.q("UPDATE idempotency_keys SET done = TRUE, status = ?, headers = ?, body = ? WHERE user_id = ? AND key = ?"),
		a.Status, string(headers), a.Body, user, key)
	if err != nil {
		return fmt.Errorf("finish idempotency key: %w", err)
	}
	return nil
}

// ReleaseKey forgets user's key, claimed and not finished: the request
// failed on the server's side, and a retry should carry it out again.
func (s *Store) ReleaseKey(ctx context.Context, user int64, key string) error {
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND NOT done"), user, key); err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// DeleteExpiredKeys removes idempotency keys past their time.
func (s *Store) DeleteExpiredKeys(ctx context.Context, at time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q("DELETE FROM idempotency_keys WHERE expires_at < ?"), utc(at))
	if err != nil {
		return 0, fmt.Errorf("delete expired idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
