package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"khabar/internal/news"
)

// ListTicker returns ticker items, newest first; with active set, only
// those not expired at now.
func (s *Store) ListTicker(ctx context.Context, active bool, at time.Time) ([]news.TickerItem, error) {
	query, args := "SELECT id, text, url, expires_at, created_at FROM ticker_items", []any{}
	if active {
		query += " WHERE expires_at IS NULL OR expires_at > ?"
		args = append(args, utc(at))
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+" ORDER BY created_at DESC, id DESC LIMIT 50"), args...)
	if err != nil {
		return nil, fmt.Errorf("list ticker: %w", err)
	}
	defer rows.Close()
	var out []news.TickerItem
	for rows.Next() {
		var (
			t   news.TickerItem
			exp sql.NullTime
		)
		if err := rows.Scan(&t.ID, &t.Text, &t.URL, &exp, &t.CreatedAt); err != nil {
			return nil, fmt.Errorf("list ticker: %w", err)
		}
		t.ExpiresAt = exp.Time
		out = append(out, t)
	}
	return out, rows.Err()
}

// NextTickerExpiry is the earliest future expiry, so the page cache can
// drop pages when an item runs out; zero when none.
func (s *Store) NextTickerExpiry(ctx context.Context, after time.Time) (time.Time, error) {
	var t sql.NullTime
	err := s.db.QueryRowContext(ctx, s.q("SELECT expires_at FROM ticker_items WHERE expires_at > ? ORDER BY expires_at LIMIT 1"), utc(after)).Scan(&t)
	if err != nil && err != sql.ErrNoRows {
		return time.Time{}, fmt.Errorf("next ticker expiry: %w", err)
	}
	return t.Time, nil
}

// CreateTicker adds a ticker item.
func (s *Store) CreateTicker(ctx context.Context, t *news.TickerItem) error {
	if err := t.Normalize(); err != nil {
		return fmt.Errorf("create ticker item: %w", err)
	}
	t.CreatedAt = now()
	return s.inEventTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insert(ctx, tx, "INSERT INTO ticker_items (text, url, expires_at, created_at) VALUES (?, ?, ?, ?)",
			t.Text, t.URL, nullTime(t.ExpiresAt), t.CreatedAt)
		if err != nil {
			return fmt.Errorf("create ticker item: %w", err)
		}
		t.ID = id
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTickerChanged})
	})
}

// DeleteTicker removes a ticker item.
func (s *Store) DeleteTicker(ctx context.Context, id int64) error {
	return s.inEventTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM ticker_items WHERE id = ?"), id)
		if err != nil {
			return fmt.Errorf("delete ticker item %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("delete ticker item %d: %w", id, news.ErrNotFound)
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTickerChanged})
	})
}
