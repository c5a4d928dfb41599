package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"khabar/internal/news"
)

// Transition takes article id, as read at version, through one step of
// the editorial workflow. A stale version is news.ErrConflict, a step the
// article's state forbids a *news.TransitionError, a bad time or note a
// *news.InvalidError. Steps that change what readers see go through the
// same path as any update (events, audit log); the others write an
// article.saved event, which the jobs follow to plan their work.
func (s *Store) Transition(ctx context.Context, id, version int64, c news.Change) (*news.Article, error) {
	var a *news.Article
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.getArticle(ctx, tx, id); err != nil {
			return err
		}
		if a.Version != version {
			return news.ErrConflict
		}
		return s.step(ctx, tx, a, c)
	})
	if err != nil {
		return nil, fmt.Errorf("%s article %d: %w", c.Action, id, err)
	}
	return a, nil
}

// step takes workflow step c on a and logs it: publishing and
// unpublishing are logged by their events, every other step here.
func (s *Store) step(ctx context.Context, tx *sql.Tx, a *news.Article, c news.Change) error {
	if err := s.takeStep(ctx, tx, a, c); err != nil {
		return err
	}
	if c.Action == news.ActionPublish || c.Action == news.ActionUnpublish {
		return nil
	}
	detail := ""
	if c.Action == news.ActionSchedule {
		detail = a.PublishAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return s.writeAudit(ctx, tx, actorFrom(ctx), "article."+string(c.Action), "article "+strconv.FormatInt(a.ID, 10), detail)
}

func (s *Store) takeStep(ctx context.Context, tx *sql.Tx, a *news.Article, c news.Change) error {
	next, err := a.Next(c.Action)
	if err != nil {
		return err
	}
	if c.Action == news.ActionPublish || c.Action == news.ActionSchedule {
		if a.Embargo, err = s.articleEmbargo(ctx, tx, a.ID); err != nil {
			return err
		}
	}
	if err := c.Validate(a, now()); err != nil {
		return err
	}
	switch c.Action {
	case news.ActionPublishUpdate:
		staged, err := s.readStaged(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		staged.applyTo(a)
		if err := s.updateArticle(ctx, tx, a); err != nil {
			return err
		}
		a.HasStaged = false
		return s.execOne(ctx, tx, "UPDATE articles SET staged = NULL WHERE id = ?", a.ID)
	case news.ActionDiscardUpdate:
		a.HasStaged = false
		return s.bumpWorkflow(ctx, tx, a, "staged = NULL")
	}
	if next == news.StatusScheduled {
		// Its job cannot ask anyone to complete the images: what is to be
		// published later must be publishable now.
		later := *a
		later.Status = news.StatusPublished
		if err := s.checkImageTexts(ctx, tx, &later); err != nil {
			return err
		}
	}
	wasPublic := a.IsPublic()
	c.Apply(a, next)
	if wasPublic != a.IsPublic() {
		return s.updateArticle(ctx, tx, a)
	}
	if err := s.bumpWorkflow(ctx, tx, a, "status = ?, publish_at = ?, unpublish_at = ?, review_note = ?",
		string(a.Status), nullTime(a.PublishAt), nullTime(a.UnpublishAt), a.ReviewNote); err != nil {
		return err
	}
	return s.writeEvent(ctx, tx, news.Event{Kind: news.EventArticleSaved, ArticleID: a.ID})
}

// bumpWorkflow sets columns that readers never see (set is "col = ?, …"
// with args), marks the article edited and bumps its version; the
// article's public times stay as they are.
func (s *Store) bumpWorkflow(ctx context.Context, tx *sql.Tx, a *news.Article, set string, args ...any) error {
	t := now()
	args = append(args, t, a.ID, a.Version)
	if err := s.execOne(ctx, tx, "UPDATE articles SET "+set+", edited_at = ?, version = version + 1 WHERE id = ? AND version = ?", args...); err != nil {
		return err
	}
	a.EditedAt = t
	a.Version++
	return nil
}

// execOne runs an UPDATE that must change exactly one row; none means
// someone else changed it first.
func (s *Store) execOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return mapConstraint(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return news.ErrConflict
	}
	return nil
}

// staged is a staged update: every field the article form edits, kept
// beside the live columns until an editor publishes it.
type staged struct {
	Slug           string            `json:"slug"`
	Kicker         string            `json:"kicker"`
	Headline       string            `json:"headline"`
	Lead           string            `json:"lead"`
	Body           []news.Block      `json:"body"`
	SectionID      int64             `json:"section"`
	Tags           []news.Tag        `json:"tags"`
	Authors        []news.Author     `json:"authors"`
	Source         string            `json:"source"`
	SEOTitle       string            `json:"seo_title"`
	SEODescription string            `json:"seo_description"`
	FeaturedID     int64             `json:"featured"`
	Breaking       bool              `json:"breaking"`
	Pinned         bool              `json:"pinned"`
	CommentsMode   news.CommentsMode `json:"comments_mode"`
}

func stagedOf(a *news.Article) staged {
	return staged{Slug: a.Slug, Kicker: a.Kicker, Headline: a.Headline, Lead: a.Lead, Body: blocksOrEmpty(a.Body),
		SectionID: a.SectionID, Tags: a.Tags, Authors: a.Authors, Source: a.Source, SEOTitle: a.SEOTitle,
		SEODescription: a.SEODescription, FeaturedID: a.FeaturedID, Breaking: a.Breaking, Pinned: a.Pinned, CommentsMode: a.CommentsMode}
}

func (st staged) applyTo(a *news.Article) {
	a.Slug, a.Kicker, a.Headline, a.Lead, a.Body = st.Slug, st.Kicker, st.Headline, st.Lead, st.Body
	a.SectionID, a.Tags, a.Authors, a.Source = st.SectionID, st.Tags, st.Authors, st.Source
	a.SEOTitle, a.SEODescription, a.FeaturedID = st.SEOTitle, st.SEODescription, st.FeaturedID
	a.Breaking, a.Pinned, a.CommentsMode = st.Breaking, st.Pinned, st.CommentsMode
}

func (s *Store) readStaged(ctx context.Context, db querier, id int64) (staged, error) {
	var raw string
	var st staged
	if err := db.QueryRowContext(ctx, s.q("SELECT staged FROM articles WHERE id = ? AND staged IS NOT NULL"), id).Scan(&raw); err != nil {
		return st, fmt.Errorf("read staged update of article %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return st, fmt.Errorf("article %d: bad staged update: %w", id, err)
	}
	return st, nil
}

// StageUpdate keeps a's edited fields as the staged update of the
// published article a.ID (read at a.Version), leaving the live version
// untouched, and keeps it as a revision. The fields are normalised and
// their references checked now, so publishing the update later cannot
// fail on them.
func (s *Store) StageUpdate(ctx context.Context, a *news.Article) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.getArticle(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if cur.Version != a.Version {
			return news.ErrConflict
		}
		if cur.Status != news.StatusPublished {
			return &news.TransitionError{From: cur.Status, Action: news.ActionPublishUpdate}
		}
		a.Status = cur.Status
		if err := a.Normalize(); err != nil {
			return err
		}
		if err := s.checkReferences(ctx, tx, a); err != nil {
			return err
		}
		if cur.SectionID != a.SectionID {
			if err := s.checkSectionOpen(ctx, tx, a.SectionID); err != nil {
				return err
			}
		}
		raw, err := json.Marshal(stagedOf(a))
		if err != nil {
			return err
		}
		a.HasStaged = true
		if err := s.bumpWorkflow(ctx, tx, a, "staged = ?", string(raw)); err != nil {
			return err
		}
		return s.writeRevision(ctx, tx, a)
	})
	if err != nil {
		return fmt.Errorf("stage update of article %d: %w", a.ID, err)
	}
	return nil
}

// checkReferences refuses a staged update whose section, featured image,
// authors or image blocks do not exist, as the live columns' foreign keys
// would when it is published.
func (s *Store) checkReferences(ctx context.Context, tx *sql.Tx, a *news.Article) error {
	refs := [][2]any{{"SELECT 1 FROM sections WHERE id = ?", a.SectionID}}
	if a.FeaturedID > 0 {
		refs = append(refs, [2]any{"SELECT 1 FROM media WHERE id = ?", a.FeaturedID})
	}
	for _, au := range a.Authors {
		refs = append(refs, [2]any{"SELECT 1 FROM authors WHERE id = ?", au.ID})
	}
	for _, r := range refs {
		var one int
		err := tx.QueryRowContext(ctx, s.q(r[0].(string)), r[1]).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return &news.InvalidError{Fields: map[string]string{"reference": "unknown_reference"}}
		}
		if err != nil {
			return fmt.Errorf("check references: %w", err)
		}
	}
	return s.checkMedia(ctx, tx, a.Body)
}

// StagedArticle reads an article as the newsroom edits it: with its staged
// update, when there is one, in place of the live fields.
func (s *Store) StagedArticle(ctx context.Context, id int64) (*news.Article, error) {
	a, err := s.GetArticle(ctx, id)
	if err != nil || !a.HasStaged {
		return a, err
	}
	st, err := s.readStaged(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	st.applyTo(a)
	return a, nil
}

// Planned is a publication or withdrawal planned for a time.
type Planned struct {
	ArticleID int64
	Action    news.Action // news.ActionPublish or news.ActionUnpublish
	At        time.Time
}

// pending reports whether a still plans p: a rescheduled, cancelled or
// already carried out change does not match.
func (p Planned) pending(a *news.Article) bool {
	switch p.Action {
	case news.ActionPublish:
		return a.Status == news.StatusScheduled && a.PublishAt.Equal(p.At)
	case news.ActionUnpublish:
		return a.Status == news.StatusPublished && a.UnpublishAt.Equal(p.At)
	}
	return false
}

// PlannedChanges lists the changes planned for article id (every article
// when id is 0). A withdrawal planned for an article that is still
// scheduled is listed too: its job waits for the publication.
func (s *Store) PlannedChanges(ctx context.Context, id int64) ([]Planned, error) {
	query := "SELECT id, status, publish_at, unpublish_at FROM articles WHERE (publish_at IS NOT NULL OR unpublish_at IS NOT NULL)"
	var args []any
	if id > 0 {
		query += " AND id = ?"
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+" ORDER BY id"), args...)
	type plans struct {
		id        int64
		status    news.Status
		pub, unpb sql.NullTime
	}
	list, err := collect(rows, err, "planned changes", func(r rowScanner) (plans, error) {
		var (
			p      plans
			status string
		)
		err := r.Scan(&p.id, &status, &p.pub, &p.unpb)
		p.status = news.Status(status)
		return p, err
	})
	if err != nil {
		return nil, err
	}
	var out []Planned
	for _, p := range list {
		if p.pub.Valid && p.status == news.StatusScheduled {
			out = append(out, Planned{ArticleID: p.id, Action: news.ActionPublish, At: utc(p.pub.Time)})
		}
		if p.unpb.Valid && (p.status == news.StatusScheduled || p.status == news.StatusPublished) {
			out = append(out, Planned{ArticleID: p.id, Action: news.ActionUnpublish, At: utc(p.unpb.Time)})
		}
	}
	return out, nil
}

// RunPlanned carries out p if the article still plans it, as the system
// (ctx carries no newsroom user) and through the same path as the
// newsroom. It reports false when there was nothing to do, so a job for a
// rescheduled or cancelled change, or one that runs twice, does no harm.
func (s *Store) RunPlanned(ctx context.Context, p Planned) (bool, error) {
	done := false
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		a, err := s.getArticle(ctx, tx, p.ArticleID)
		switch {
		case errors.Is(err, news.ErrNotFound):
			return nil // deleted since: nothing to do
		case err != nil:
			return err
		case !p.pending(a):
			return nil
		}
		done = true
		return s.step(ctx, tx, a, news.Change{Action: p.Action})
	})
	if err != nil {
		return false, fmt.Errorf("planned %s of article %d at %s: %w", p.Action, p.ArticleID, p.At.Format(time.RFC3339), err)
	}
	return done, nil
}

// SQLiteFile is the path of the SQLite database file, for the job queue's
// own connection to it.
func (s *Store) SQLiteFile(ctx context.Context) (string, error) {
	var path string
	if err := s.db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path); err != nil {
		return "", fmt.Errorf("sqlite file: %w", err)
	}
	return path, nil
}

// OpenJobPool opens the job queue's connections to the SQLite file: one
// connection (River runs work concurrently that would otherwise trip over
// SQLite's single writer), taking the write lock at BEGIN and waiting for
// the store's writers as they wait for each other.
func (s *Store) OpenJobPool(ctx context.Context) (*sql.DB, error) {
	path, err := s.SQLiteFile(ctx)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("open job pool: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	return db, nil
}

// OpenPgxPool opens a native pgx pool with the store's connection settings
// (server, database, search_path), for River's PostgreSQL driver.
func (s *Store) OpenPgxPool(ctx context.Context, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(s.pgcfg.ConnString())
	if err != nil {
		return nil, fmt.Errorf("open job pool: %w", err)
	}
	cfg.ConnConfig = s.pgcfg.Copy()
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open job pool: %w", err)
	}
	return pool, nil
}

// Schema is the PostgreSQL schema the store's tables live in (the first
// of search_path), "" on SQLite.
func (s *Store) Schema(ctx context.Context) (string, error) {
	if s.dialect != Postgres {
		return "", nil
	}
	var schema string
	if err := s.db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return "", fmt.Errorf("current schema: %w", err)
	}
	return schema, nil
}

// WithMigrationLock runs fn holding the lock Migrate holds on PostgreSQL,
// so nodes that start together apply other components' migrations (the
// job queue's) once.
func (s *Store) WithMigrationLock(ctx context.Context, fn func() error) error {
	if s.dialect != Postgres {
		return fn()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(74865001)"); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(74865001)")
	return fn()
}

// DeleteArticle removes an article readers never saw, with its revisions,
// tags and everything else that belongs to it, if version is still the
// stored one. The audit log keeps its headline; the event lets the
// newsroom's search forget it.
func (s *Store) DeleteArticle(ctx context.Context, id, version int64) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		a, err := s.getArticle(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Version != version {
			return news.ErrConflict
		}
		if !a.Deletable() {
			return &news.TransitionError{From: a.Status, Action: news.ActionDelete}
		}
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM articles WHERE id = ? AND version = ?"), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return news.ErrConflict
		}
		if err := s.writeAudit(ctx, tx, actorFrom(ctx), "article.delete", "article "+strconv.FormatInt(id, 10), a.Headline); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventArticleSaved, ArticleID: id})
	})
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	return nil
}
