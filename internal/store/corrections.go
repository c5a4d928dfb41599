package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"khabar/internal/news"
)

const correctionCols = "c.id, c.article_id, c.kind, c.text, c.created_at, COALESCE(c.user_id, 0), c.user_name"

func scanCorrection(r rowScanner, extra ...any) (news.Correction, error) {
	var (
		c    news.Correction
		kind string
	)
	err := r.Scan(append([]any{&c.ID, &c.ArticleID, &kind, &c.Text, &c.CreatedAt, &c.Actor.UserID, &c.Actor.Name}, extra...)...)
	c.Kind = news.CorrectionKind(kind)
	return c, err
}

// AddCorrection attaches c to its article, which must be published, in
// c.Actor's name, filling its id and time.
func (s *Store) AddCorrection(ctx context.Context, c *news.Correction) error {
	if err := c.Normalize(); err != nil {
		return fmt.Errorf("add correction to article %d: %w", c.ArticleID, err)
	}
	c.CreatedAt = now()
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		section, public, err := s.touchCorrected(ctx, tx, c.ArticleID, c.CreatedAt)
		if err != nil {
			return err
		}
		if !public {
			// A draft has no readers to owe a correction to; what it
			// gets wrong is edited before it is published.
			return &news.InvalidError{Fields: map[string]string{"article": "not_published"}}
		}
		c.ID, err = s.insert(ctx, tx, "INSERT INTO corrections (article_id, kind, text, created_at, user_id, user_name) VALUES (?, ?, ?, ?, ?, ?)",
			c.ArticleID, string(c.Kind), c.Text, c.CreatedAt, nullID(c.Actor.UserID), c.Actor.Name)
		if err != nil {
			return mapConstraint(err)
		}
		return s.correctionChanged(ctx, tx, c, "add", section)
	})
	if err != nil {
		return fmt.Errorf("add correction to article %d: %w", c.ArticleID, err)
	}
	return nil
}

// DeleteCorrection removes correction id of article articleID; one of
// another article is news.ErrNotFound, as a forged or stale address
// deserves.
func (s *Store) DeleteCorrection(ctx context.Context, articleID, id int64, actor news.Actor) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		c := news.Correction{ID: id, ArticleID: articleID, Actor: actor}
		var kind string
		err := tx.QueryRowContext(ctx, s.q("DELETE FROM corrections WHERE id = ? AND article_id = ? RETURNING kind, text"), id, articleID).Scan(&kind, &c.Text)
		if errors.Is(err, sql.ErrNoRows) {
			return news.ErrNotFound
		}
		if err != nil {
			return err
		}
		c.Kind = news.CorrectionKind(kind)
		// Readers saw the page change, so its updated time moves too.
		section, _, err := s.touchCorrected(ctx, tx, articleID, now())
		if err != nil {
			return err
		}
		return s.correctionChanged(ctx, tx, &c, "delete", section)
	})
	if err != nil {
		return fmt.Errorf("delete correction %d of article %d: %w", id, articleID, err)
	}
	return nil
}

// touchCorrected moves the updated time of article id to at if it is
// published, never backwards (JSON-LD's dateModified, the page's "updated"
// line, sitemaps and feeds follow it), and says whether it is published
// and in which section. The UPDATE comes first: on PostgreSQL it waits
// for a concurrent unpublishing, so the state read after it is the one
// that commits.
func (s *Store) touchCorrected(ctx context.Context, tx *sql.Tx, id int64, at time.Time) (section int64, public bool, err error) {
	_, err = tx.ExecContext(ctx, s.q("UPDATE articles SET updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END WHERE id = ? AND status = ?"),
		at, at, id, string(news.StatusPublished))
	if err != nil {
		return 0, false, fmt.Errorf("touch article: %w", err)
	}
	var status string
	err = tx.QueryRowContext(ctx, s.q("SELECT status, section_id FROM articles WHERE id = ?"), id).Scan(&status, &section)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, news.ErrNotFound
	}
	return section, news.Status(status) == news.StatusPublished, err
}

// correctionChanged logs a correction's addition or deletion (verb) with
// its whole text, and writes the event that refreshes the article's page,
// the feeds carrying it (their hubs are pinged for its section's) and
// /corrections.
func (s *Store) correctionChanged(ctx context.Context, tx *sql.Tx, c *news.Correction, verb string, section int64) error {
	if err := s.writeAudit(ctx, tx, c.Actor, string(c.Kind)+"."+verb, "article "+strconv.FormatInt(c.ArticleID, 10), c.Text); err != nil {
		return err
	}
	return s.writeEvent(ctx, tx, news.Event{Kind: news.EventCorrectionChanged, ArticleID: c.ArticleID, Sections: []int64{section}})
}

// ArticleCorrections lists an article's corrections and notes, oldest
// first.
func (s *Store) ArticleCorrections(ctx context.Context, articleID int64) ([]news.Correction, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+correctionCols+" FROM corrections c WHERE c.article_id = ? ORDER BY c.created_at, c.id"), articleID)
	return collect(rows, err, fmt.Sprintf("corrections of article %d", articleID), func(r rowScanner) (news.Correction, error) { return scanCorrection(r) })
}

// RecentCorrections returns a page of the corrections and notes of
// published articles, newest first, each with its article's id, slug and
// headline, and how many there are in all.
func (s *Store) RecentCorrections(ctx context.Context, limit, offset int) ([]news.Correction, int, error) {
	const from = " FROM corrections c JOIN articles a ON a.id = c.article_id WHERE a.status = ?"
	published := string(news.StatusPublished)
	var total int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*)"+from), published).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count recent corrections: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+correctionCols+", a.slug, a.headline"+from+" ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?"),
		published, limit, offset)
	out, err := collect(rows, err, "recent corrections", func(r rowScanner) (news.Correction, error) {
		a := &news.Article{}
		c, err := scanCorrection(r, &a.Slug, &a.Headline)
		a.ID, c.Article = c.ArticleID, a
		return c, err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
