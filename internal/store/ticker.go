package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"khabar/internal/news"
)

const tickerCols = "id, text, url, expires_at, created_at, article_id"

// tickerOrder is the editors' order, top first; the id breaks ties that
// lines added before positions existed might leave.
const tickerOrder = " ORDER BY position DESC, id DESC"

func scanTicker(r rowScanner) (news.TickerItem, error) {
	var (
		t       news.TickerItem
		exp     sql.NullTime
		article sql.NullInt64
	)
	err := r.Scan(&t.ID, &t.Text, &t.URL, &exp, &t.CreatedAt, &article)
	t.ExpiresAt, t.ArticleID = exp.Time, article.Int64
	return t, err
}

// TickerLines says which of the ticker's lines ListTicker returns.
type TickerLines int

const (
	// OnShow are the lines readers see (not expired), in the editors'
	// order, top first.
	OnShow TickerLines = iota
	// RanOut are the expired lines, the latest to run out first. Expired
	// lines keep their old positions, so in one list with those on show
	// years of them could push a line readers see out of the newsroom's.
	RanOut
)

// ListTicker returns up to 50 ticker lines, those which says, at time at.
func (s *Store) ListTicker(ctx context.Context, which TickerLines, at time.Time) ([]news.TickerItem, error) {
	query := "SELECT " + tickerCols + " FROM ticker_items WHERE expires_at IS NULL OR expires_at > ?" + tickerOrder
	if which == RanOut {
		query = "SELECT " + tickerCols + " FROM ticker_items WHERE expires_at <= ? ORDER BY expires_at DESC, id DESC"
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+" LIMIT 50"), utc(at))
	return collect(rows, err, "list ticker", scanTicker)
}

// GetTicker reads one ticker item.
func (s *Store) GetTicker(ctx context.Context, id int64) (*news.TickerItem, error) {
	t, err := scanTicker(s.db.QueryRowContext(ctx, s.q("SELECT "+tickerCols+" FROM ticker_items WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("ticker item %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("ticker item %d: %w", id, err)
	}
	return &t, nil
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

// TickerRanOut writes the ticker event for the lines that ran out at at,
// so open pages and cached ones drop them; nothing if no line runs out
// then any more (its expiry was changed since).
func (s *Store) TickerRanOut(ctx context.Context, at time.Time) error {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM ticker_items WHERE expires_at = ?"), utc(at)).Scan(&n); err != nil {
		return fmt.Errorf("ticker ran out at %s: %w", at, err)
	}
	if n == 0 {
		return nil
	}
	err := s.inEventTx(ctx, func(tx *sql.Tx) error { return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTickerChanged}) })
	if err != nil {
		return fmt.Errorf("ticker ran out at %s: %w", at, err)
	}
	return nil
}

// tickerTx runs a ticker change with its event written first: the
// event's lock (PostgreSQL) or the write lock taken at BEGIN (SQLite) is
// then held to commit, so ticker changes run one at a time and no other
// change moves the positions fn reads.
func (s *Store) tickerTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.inEventTx(ctx, func(tx *sql.Tx) error {
		if err := s.writeEvent(ctx, tx, news.Event{Kind: news.EventTickerChanged}); err != nil {
			return err
		}
		return fn(tx)
	})
}

// topTicker is the position above every line.
const topTicker = "(SELECT COALESCE(MAX(position), 0) + 1 FROM ticker_items)"

// CreateTicker adds a ticker item on top.
func (s *Store) CreateTicker(ctx context.Context, t *news.TickerItem) error {
	if err := t.Normalize(); err != nil {
		return fmt.Errorf("create ticker item: %w", err)
	}
	t.CreatedAt = now()
	return s.tickerTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertTicker(ctx, tx, t)
		if err != nil {
			return fmt.Errorf("create ticker item: %w", err)
		}
		t.ID = id
		return s.writeAudit(ctx, tx, actorFrom(ctx), "ticker.create", tickerTarget(id), t.Text)
	})
}

func (s *Store) insertTicker(ctx context.Context, tx *sql.Tx, t *news.TickerItem) (int64, error) {
	return s.insert(ctx, tx, "INSERT INTO ticker_items (text, url, expires_at, created_at, article_id, position) VALUES (?, ?, ?, ?, ?, "+topTicker+")",
		t.Text, t.URL, nullTime(t.ExpiresAt), t.CreatedAt, nullID(t.ArticleID))
}

// SendToTicker puts an article's line on top of the ticker. When the
// article already has a line, that line is raised to the top and shown
// again (raised is true) with the link given, keeping the editors' text:
// sending twice never makes two lines.
func (s *Store) SendToTicker(ctx context.Context, t *news.TickerItem) (raised bool, err error) {
	if err := t.Normalize(); err != nil {
		return false, fmt.Errorf("send article %d to the ticker: %w", t.ArticleID, err)
	}
	t.CreatedAt = now()
	err = s.tickerTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, s.q("SELECT id FROM ticker_items WHERE article_id = ? ORDER BY id DESC LIMIT 1"), t.ArticleID).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			t.ID, err = s.insertTicker(ctx, tx, t)
		case err == nil:
			t.ID, raised = id, true
			_, err = tx.ExecContext(ctx, s.q("UPDATE ticker_items SET position = "+topTicker+", expires_at = NULL, url = ? WHERE id = ?"), t.URL, id)
		}
		if err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actorFrom(ctx), "ticker.send", tickerTarget(t.ID), "article "+strconv.FormatInt(t.ArticleID, 10))
	})
	if err != nil {
		return false, fmt.Errorf("send article %d to the ticker: %w", t.ArticleID, err)
	}
	return raised, nil
}

// UpdateTicker saves an item's text, link and expiry; its place in the
// ticker stays.
func (s *Store) UpdateTicker(ctx context.Context, t *news.TickerItem) error {
	if err := t.Normalize(); err != nil {
		return fmt.Errorf("update ticker item %d: %w", t.ID, err)
	}
	return s.changeTicker(ctx, t.ID, "update", "UPDATE ticker_items SET text = ?, url = ?, expires_at = ? WHERE id = ?",
		t.Text, t.URL, nullTime(t.ExpiresAt), t.ID)
}

// ExpireTicker takes an item off the ticker at the time given (now, or
// later); the item stays, for editors to restore.
func (s *Store) ExpireTicker(ctx context.Context, id int64, at time.Time) error {
	return s.changeTicker(ctx, id, "expire", "UPDATE ticker_items SET expires_at = ? WHERE id = ?", utc(at), id)
}

// RestoreTicker shows an expired item again, on top and without expiry.
func (s *Store) RestoreTicker(ctx context.Context, id int64) error {
	return s.changeTicker(ctx, id, "restore", "UPDATE ticker_items SET expires_at = NULL, position = "+topTicker+" WHERE id = ?", id)
}

// DeleteTicker removes a ticker item.
func (s *Store) DeleteTicker(ctx context.Context, id int64) error {
	return s.changeTicker(ctx, id, "delete", "DELETE FROM ticker_items WHERE id = ?", id)
}

// changeTicker runs one statement on item id as a ticker change;
// ErrNotFound when the item is not there.
func (s *Store) changeTicker(ctx context.Context, id int64, verb, query string, args ...any) error {
	err := s.tickerTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrNotFound
		}
		return s.writeAudit(ctx, tx, actorFrom(ctx), "ticker."+verb, tickerTarget(id), "")
	})
	if err != nil {
		return fmt.Errorf("%s ticker item %d: %w", verb, id, err)
	}
	return nil
}

func tickerTarget(id int64) string { return "ticker " + strconv.FormatInt(id, 10) }

// MoveTicker moves item id by places among the items readers see at at
// (negative: towards the top), stopping at either end. Moving an expired
// item is refused.
func (s *Store) MoveTicker(ctx context.Context, id int64, by int, at time.Time) error {
	err := s.tickerTx(ctx, func(tx *sql.Tx) error {
		// Only the lines on show are read and renumbered: expired ones,
		// which pile up over the years, keep whatever position they had
		// (a restore puts a line on top).
		type line struct{ id, pos int64 }
		rows, err := tx.QueryContext(ctx, s.q("SELECT id, position FROM ticker_items WHERE expires_at IS NULL OR expires_at > ?"+tickerOrder), utc(at))
		shown, err := collect(rows, err, "lines on show", func(r rowScanner) (line, error) {
			var l line
			err := r.Scan(&l.id, &l.pos)
			return l, err
		})
		if err != nil {
			return err
		}
		from := slices.IndexFunc(shown, func(l line) bool { return l.id == id })
		if from < 0 {
			var one int
			err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM ticker_items WHERE id = ?"), id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return news.ErrNotFound
			}
			if err != nil {
				return err
			}
			var v news.Invalid
			v.Add("position", "ticker_expired")
			return v.Err()
		}
		// The lines take the positions they held between them, in the new
		// order: a step rewrites the two lines that swap. Equal positions
		// (which only a hand-made row could have) are parted first.
		slots := make([]int64, len(shown))
		for i, l := range shown {
			slots[i] = l.pos
			if i > 0 && slots[i] >= slots[i-1] {
				slots[i] = slots[i-1] - 1
			}
		}
		to := min(max(from+by, 0), len(shown)-1)
		if err := s.writeAudit(ctx, tx, actorFrom(ctx), "ticker.move", tickerTarget(id), strconv.Itoa(from+1)+" → "+strconv.Itoa(to+1)); err != nil {
			return err
		}
		order := slices.Insert(slices.Delete(slices.Clone(shown), from, from+1), to, shown[from])
		for i, l := range order {
			if l.pos != slots[i] {
				if _, err := tx.ExecContext(ctx, s.q("UPDATE ticker_items SET position = ? WHERE id = ?"), slots[i], l.id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("move ticker item %d: %w", id, err)
	}
	return nil
}
