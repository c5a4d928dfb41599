package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"khabar/internal/news"
)

// LockMode is what EnterArticle does with the article's edit lock.
type LockMode int

const (
	// Watch counts the editor in and keeps their lock alive if they hold
	// it: someone reading an article blocks nobody.
	Watch LockMode = iota
	// Claim also takes the lock when nobody holds a live one: the editor
	// has started changing the article.
	Claim
	// TakeOver takes the lock from whoever holds it.
	TakeOver
)

// EnterArticle records that ed has the article open now, does what mode
// says with its edit lock, and returns who is in it. Presence and lock
// last ttl past the holder's last call. The lock changes hands in a
// single upsert, so two editors claiming it at once cannot both end up
// holding it, on either database.
func (s *Store) EnterArticle(ctx context.Context, article int64, ed news.Actor, mode LockMode, ttl time.Duration) (news.Editing, error) {
	t := now()
	stale := t.Add(-ttl)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM article_editors WHERE article_id = ? AND seen_at < ?"), article, stale); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO article_editors (article_id, user_id, user_name, opened_at, seen_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (article_id, user_id) DO UPDATE SET user_name = excluded.user_name, seen_at = excluded.seen_at`),
			article, ed.UserID, ed.Name, t, t)
		if err != nil {
			return err
		}
		if mode == Watch {
			_, err = tx.ExecContext(ctx, s.q("UPDATE article_locks SET seen_at = ? WHERE article_id = ? AND user_id = ?"), t, article, ed.UserID)
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO article_locks (article_id, user_id, user_name, taken_at, seen_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (article_id) DO UPDATE SET user_id = excluded.user_id, user_name = excluded.user_name,
				taken_at = CASE WHEN article_locks.user_id = excluded.user_id THEN article_locks.taken_at ELSE excluded.taken_at END,
				seen_at = excluded.seen_at
			WHERE article_locks.user_id = excluded.user_id OR article_locks.seen_at < ? OR ?`),
			article, ed.UserID, ed.Name, t, t, stale, mode == TakeOver)
		return err
	})
	if err != nil {
		return news.Editing{}, fmt.Errorf("enter article %d as user %d: %w", article, ed.UserID, err)
	}
	return s.ArticleEditing(ctx, article, ttl)
}

// ArticleEditing is who is in the article: the live lock and everyone
// seen within ttl, first opened first.
func (s *Store) ArticleEditing(ctx context.Context, article int64, ttl time.Duration) (news.Editing, error) {
	var e news.Editing
	stale := now().Add(-ttl)
	err := s.db.QueryRowContext(ctx, s.q("SELECT user_id, user_name, taken_at, seen_at FROM article_locks WHERE article_id = ? AND seen_at >= ?"), article, stale).
		Scan(&e.Lock.UserID, &e.Lock.Name, &e.Lock.Since, &e.Lock.SeenAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("edit lock of article %d: %w", article, err)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT user_id, user_name, opened_at, seen_at FROM article_editors WHERE article_id = ? AND seen_at >= ? ORDER BY opened_at, user_id"), article, stale)
	e.Open, err = collect(rows, err, fmt.Sprintf("editors of article %d", article), func(r rowScanner) (news.Editor, error) {
		var ed news.Editor
		err := r.Scan(&ed.UserID, &ed.Name, &ed.Since, &ed.SeenAt)
		return ed, err
	})
	return e, err
}

// LeaveArticle forgets that user has the article open and frees the lock
// if it is theirs, unless they were seen after seen: a page's goodbye can
// arrive after the same user's next page (a reload) said hello.
func (s *Store) LeaveArticle(ctx context.Context, article, user int64, seen time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"article_editors", "article_locks"} {
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM "+table+" WHERE article_id = ? AND user_id = ? AND seen_at <= ?"), article, user, utc(seen)); err != nil {
				return fmt.Errorf("leave article %d as user %d: %w", article, user, err)
			}
		}
		return nil
	})
}

// DeleteLapsedEditing removes presence and lock rows not heard from
// within ttl. They are already ignored (every read and claim checks
// seen_at), so this only keeps the tables small; an upsert that refreshes
// a row at the same moment either wins or inserts it again.
func (s *Store) DeleteLapsedEditing(ctx context.Context, ttl time.Duration) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"article_editors", "article_locks"} {
			res, err := tx.ExecContext(ctx, s.q("DELETE FROM "+table+" WHERE seen_at < ?"), now().Add(-ttl))
			if err != nil {
				return fmt.Errorf("delete lapsed %s: %w", table, err)
			}
			gone, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("delete lapsed %s: %w", table, err)
			}
			n += gone
		}
		return nil
	})
	return n, err
}

// EditLocks are the live edit locks (held within ttl), by article, for
// the desk to show who is in what.
func (s *Store) EditLocks(ctx context.Context, ttl time.Duration) (map[int64]*news.Editor, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT article_id, user_id, user_name, taken_at, seen_at FROM article_locks WHERE seen_at >= ?"), now().Add(-ttl))
	type lock struct {
		article int64
		ed      news.Editor
	}
	list, err := collect(rows, err, "edit locks", func(r rowScanner) (lock, error) {
		var l lock
		err := r.Scan(&l.article, &l.ed.UserID, &l.ed.Name, &l.ed.Since, &l.ed.SeenAt)
		return l, err
	})
	if err != nil {
		return nil, err
	}
	out := map[int64]*news.Editor{}
	for _, l := range list {
		out[l.article] = &l.ed
	}
	return out, nil
}

// DraftByKey is the id of the article the newsroom page with this draft
// key created, and who created it; news.ErrNotFound when none.
func (s *Store) DraftByKey(ctx context.Context, key string) (id, createdBy int64, err error) {
	err = s.db.QueryRowContext(ctx, s.q("SELECT id, COALESCE(created_by, 0) FROM articles WHERE draft_key = ?"), key).Scan(&id, &createdBy)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("draft %q: %w", key, news.ErrNotFound)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("draft %q: %w", key, err)
	}
	return id, createdBy, nil
}
