package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"khabar/internal/news"
)

// Revision is one explicit save of an article: who saved it, when, and
// the fields the article form edits as they were saved.
type Revision struct {
	ID, ArticleID int64
	// Version is the article's version that the save produced.
	Version int64
	Author  news.Actor // the zero Actor: the system (an import, the demo)
	At      time.Time
	// Status is the state the save left the article in, so the history
	// can tell a publishing save from an edit; "" in revisions written
	// before it was recorded.
	Status news.Status
	snap   staged
}

// revisionSnap is a revision's stored snapshot: the edited fields and
// the state the save left.
type revisionSnap struct {
	staged
	Status news.Status `json:"status,omitempty"`
}

// Article is the revision's content as an article: the edited fields,
// without state, times or version.
func (r *Revision) Article() *news.Article {
	a := &news.Article{ID: r.ArticleID}
	r.snap.applyTo(a)
	return a
}

// ApplyTo puts the revision's content into a, leaving a's state and
// version as they are, for saving it again. Tags are carried by name, so
// one deleted since is made again rather than refused.
func (r *Revision) ApplyTo(a *news.Article) {
	r.snap.applyTo(a)
	a.Tags = make([]news.Tag, len(r.snap.Tags))
	for i, t := range r.snap.Tags {
		a.Tags[i] = news.Tag{Name: t.Name}
	}
	a.Body = append([]news.Block(nil), r.snap.Body...)
}

type noRevisionKey struct{}

// WithoutRevision marks ctx for saves that keep no revision in the
// history: an autosave every few seconds would bury the explicit saves
// under noise. Each person's last autosave of an article is kept hidden,
// for RevisionAsOf.
func WithoutRevision(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRevisionKey{}, true)
}

// writeRevision records a, just saved in tx, as a revision by the actor
// of ctx; for an autosave (WithoutRevision), as the actor's hidden
// snapshot of the article, replacing their previous one.
func (s *Store) writeRevision(ctx context.Context, tx *sql.Tx, a *news.Article) error {
	raw, err := json.Marshal(revisionSnap{stagedOf(a), a.Status})
	if err != nil {
		return fmt.Errorf("revision of article %d: %w", a.ID, err)
	}
	actor := actorFrom(ctx)
	autosave, _ := ctx.Value(noRevisionKey{}).(bool)
	if autosave {
		_, err = tx.ExecContext(ctx, s.q("DELETE FROM article_revisions WHERE article_id = ? AND autosave AND COALESCE(user_id, 0) = ?"), a.ID, actor.UserID)
		if err != nil {
			return fmt.Errorf("autosave snapshot of article %d: %w", a.ID, err)
		}
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO article_revisions (article_id, version, user_id, user_name, created_at, snapshot, autosave) VALUES (?, ?, ?, ?, ?, ?, ?)"),
		a.ID, a.Version, nullID(actor.UserID), actor.Name, now(), string(raw), autosave)
	if err != nil {
		return fmt.Errorf("revision of article %d: %w", a.ID, err)
	}
	return nil
}

const revisionCols = "id, article_id, version, COALESCE(user_id, 0), user_name, created_at, snapshot"

func scanRevision(r rowScanner) (*Revision, error) {
	var (
		rev Revision
		raw string
	)
	if err := r.Scan(&rev.ID, &rev.ArticleID, &rev.Version, &rev.Author.UserID, &rev.Author.Name, &rev.At, &raw); err != nil {
		return nil, err
	}
	var snap revisionSnap
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		return nil, fmt.Errorf("revision %d: bad snapshot: %w", rev.ID, err)
	}
	rev.snap, rev.Status = snap.staged, snap.Status
	rev.At = utc(rev.At)
	return &rev, nil
}

// Revisions lists up to limit revisions of article id, newest first.
func (s *Store) Revisions(ctx context.Context, id int64, limit int) ([]*Revision, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+revisionCols+" FROM article_revisions WHERE article_id = ? AND NOT autosave ORDER BY id DESC LIMIT ?"), id, limit)
	return collect(rows, err, fmt.Sprintf("revisions of article %d", id), scanRevision)
}

// RevisionAt reads revision rev of article id; a revision of another
// article is news.ErrNotFound.
func (s *Store) RevisionAt(ctx context.Context, id, rev int64) (*Revision, error) {
	return s.oneRevision(ctx, fmt.Sprintf("revision %d of article %d", rev, id),
		"WHERE id = ? AND article_id = ? AND NOT autosave", rev, id)
}

// RevisionAsOf reads the last revision of article id saved at or before
// version (workflow steps bump the version without a revision): what an
// editor whose save was refused had started from.
func (s *Store) RevisionAsOf(ctx context.Context, id, version int64) (*Revision, error) {
	return s.oneRevision(ctx, fmt.Sprintf("revision of article %d at version %d", id, version),
		"WHERE article_id = ? AND version <= ? ORDER BY version DESC, id DESC LIMIT 1", id, version)
}

// oneRevision reads the revision that where (with args) selects; what
// names it in errors.
func (s *Store) oneRevision(ctx context.Context, what, where string, args ...any) (*Revision, error) {
	r, err := scanRevision(s.db.QueryRowContext(ctx, s.q("SELECT "+revisionCols+" FROM article_revisions "+where), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}
