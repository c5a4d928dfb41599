package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"khabar/internal/news"
)

const liveEntryCols = `e.id, e.article_id, e.title, e.body, e.key_event, e.author_id, e.created_by, e.created_at, e.updated_at, e.version,
	au.slug, au.name`

const liveEntryFrom = ` FROM live_entries e LEFT JOIN authors au ON au.id = e.author_id`

// liveEntryOrder is newest first; the id breaks ties between entries
// posted in the same microsecond (or imported with the same time).
const liveEntryOrder = " ORDER BY e.created_at DESC, e.id DESC"

func scanLiveEntry(r rowScanner, extra ...any) (news.LiveEntry, error) {
	var (
		e                  news.LiveEntry
		body               string
		author, poster     sql.NullInt64
		authSlug, authName sql.NullString
	)
	dest := append([]any{&e.ID, &e.ArticleID, &e.Title, &body, &e.Key, &author, &poster, &e.CreatedAt, &e.UpdatedAt, &e.Version,
		&authSlug, &authName}, extra...)
	if err := r.Scan(dest...); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(body), &e.Body); err != nil {
		return e, fmt.Errorf("live entry %d: bad body: %w", e.ID, err)
	}
	e.CreatedBy = poster.Int64
	if author.Valid && authName.Valid {
		e.AuthorID = author.Int64
		e.Author = &news.Author{ID: author.Int64, Slug: authSlug.String, Name: authName.String}
	}
	return e, nil
}

// liveState is what a change to a live blog must know of its article.
type liveState struct {
	live   bool
	slug   string
	status news.Status
	blog   news.LiveBlog
}

// liveState reads an article's live flag and coverage. An article marked
// live without ever being opened (an import, say) is covered from its
// publication.
func (s *Store) liveState(ctx context.Context, db querier, articleID int64) (liveState, error) {
	var (
		st                    liveState
		status                string
		created               time.Time
		published, start, end sql.NullTime
	)
	err := db.QueryRowContext(ctx, s.q(`SELECT a.live, a.slug, a.status, a.published_at, a.created_at, l.started_at, l.ended_at
		FROM articles a LEFT JOIN liveblogs l ON l.article_id = a.id WHERE a.id = ?`), articleID).
		Scan(&st.live, &st.slug, &status, &published, &created, &start, &end)
	if errors.Is(err, sql.ErrNoRows) {
		return st, news.ErrNotFound
	}
	if err != nil {
		return st, err
	}
	st.status = news.Status(status)
	st.blog = news.LiveBlog{Start: start.Time, End: end.Time}
	switch {
	case start.Valid:
	case published.Valid:
		st.blog.Start = published.Time
	default:
		st.blog.Start = created
	}
	return st, nil
}

// LiveBlog reads the coverage of a live article.
func (s *Store) LiveBlog(ctx context.Context, articleID int64) (news.LiveBlog, error) {
	st, err := s.liveState(ctx, s.db, articleID)
	if err == nil && !st.live {
		err = news.ErrNotLive
	}
	if err != nil {
		return news.LiveBlog{}, fmt.Errorf("live blog %d: %w", articleID, err)
	}
	return st.blog, nil
}

// LiveBlogOf is what announcing a change to a live blog needs, in one
// query: the article's id, slug, state and live flag (nothing else is
// filled), and its coverage.
func (s *Store) LiveBlogOf(ctx context.Context, articleID int64) (*news.Article, news.LiveBlog, error) {
	st, err := s.liveState(ctx, s.db, articleID)
	if err != nil {
		return nil, news.LiveBlog{}, fmt.Errorf("live blog %d: %w", articleID, err)
	}
	return &news.Article{ID: articleID, Slug: st.slug, Status: st.status, Live: st.live}, st.blog, nil
}

// SetLiveCoverage opens (or reopens) an article's live coverage, making
// it a live blog, or closes it. Reopening keeps the original start; doing
// what is already done changes nothing and announces nothing.
func (s *Store) SetLiveCoverage(ctx context.Context, articleID int64, open bool) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		st, err := s.liveState(ctx, tx, articleID)
		if err != nil {
			return err
		}
		t := now()
		// A blog that was live before it was ever opened keeps the start
		// readers saw; a new one starts now.
		start := t
		if st.live {
			start = st.blog.Start
		}
		action := "liveblog.open"
		switch {
		case open && st.live && !st.blog.Ended():
			return nil
		case open:
			if !st.live {
				// The flag is the article's own: a form opened before this
				// must not save it back to false unnoticed.
				if _, err := tx.ExecContext(ctx, s.q("UPDATE articles SET live = ?, version = version + 1 WHERE id = ?"), true, articleID); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO liveblogs (article_id, started_at, ended_at) VALUES (?, ?, NULL)
				ON CONFLICT (article_id) DO UPDATE SET ended_at = NULL`), articleID, start)
		case !st.live:
			return news.ErrNotLive
		case st.blog.Ended():
			return nil
		default:
			action = "liveblog.close"
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO liveblogs (article_id, started_at, ended_at) VALUES (?, ?, ?)
				ON CONFLICT (article_id) DO UPDATE SET ended_at = excluded.ended_at`), articleID, start, t)
		}
		if err != nil {
			return err
		}
		return s.liveChanged(ctx, tx, action, articleID, 0, t)
	})
	if err != nil {
		return fmt.Errorf("set live coverage of article %d: %w", articleID, err)
	}
	return nil
}

// liveChanged moves the article's updated time to t (readers, feeds and
// sitemaps see the blog as fresh as its latest change), logs the action
// and writes the event that refreshes pages and open readers.
func (s *Store) liveChanged(ctx context.Context, tx *sql.Tx, action string, articleID, entryID int64, t time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q("UPDATE articles SET updated_at = ? WHERE id = ? AND updated_at < ?"), t, articleID, t); err != nil {
		return fmt.Errorf("touch article: %w", err)
	}
	detail := ""
	if entryID > 0 {
		detail = "entry " + strconv.FormatInt(entryID, 10)
	}
	if err := s.writeAudit(ctx, tx, actorFrom(ctx), action, "article "+strconv.FormatInt(articleID, 10), detail); err != nil {
		return err
	}
	ev := news.Event{Kind: news.EventLiveCoverageChanged, ArticleID: articleID}
	if entryID > 0 {
		ev.Kind, ev.Entry = news.EventLiveEntryChanged, entryID
	}
	return s.writeEvent(ctx, tx, ev)
}

// CreateLiveEntry adds an entry to a live blog whose coverage is open.
// An entry may bring its own time (the demo, an import), never a future
// one. Its poster (CreatedBy) is kept for good: a correction by an editor
// leaves the entry its writer's.
func (s *Store) CreateLiveEntry(ctx context.Context, e *news.LiveEntry) error {
	if err := e.Normalize(); err != nil {
		return fmt.Errorf("create live entry: %w", err)
	}
	body, err := json.Marshal(blocksOrEmpty(e.Body))
	if err != nil {
		return fmt.Errorf("create live entry: %w", err)
	}
	t := now()
	if e.CreatedAt.IsZero() || e.CreatedAt.After(t) {
		e.CreatedAt = t
	}
	e.CreatedAt = utc(e.CreatedAt)
	e.UpdatedAt, e.Version = e.CreatedAt, 1
	err = s.inEventTx(ctx, func(tx *sql.Tx) error {
		st, err := s.liveState(ctx, tx, e.ArticleID)
		switch {
		case err != nil:
			return err
		case !st.live:
			return news.ErrNotLive
		case st.blog.Ended():
			return news.ErrCoverageEnded
		}
		if err := s.checkMedia(ctx, tx, e.Body); err != nil {
			return err
		}
		e.ID, err = s.insert(ctx, tx, `INSERT INTO live_entries (article_id, title, body, key_event, author_id, created_by, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ArticleID, e.Title, string(body), e.Key, nullID(e.AuthorID), nullID(e.CreatedBy), e.CreatedAt, e.UpdatedAt, e.Version)
		if err != nil {
			return mapConstraint(err)
		}
		return s.liveChanged(ctx, tx, "liveblog.add", e.ArticleID, e.ID, e.CreatedAt)
	})
	if err != nil {
		return fmt.Errorf("create live entry on article %d: %w", e.ArticleID, err)
	}
	return nil
}

// UpdateLiveEntry saves e over the stored entry of the same article if
// e.Version is still the stored version. Corrections stay possible after
// the coverage closed.
func (s *Store) UpdateLiveEntry(ctx context.Context, e *news.LiveEntry) error {
	if err := e.Normalize(); err != nil {
		return fmt.Errorf("update live entry %d: %w", e.ID, err)
	}
	body, err := json.Marshal(blocksOrEmpty(e.Body))
	if err != nil {
		return fmt.Errorf("update live entry %d: %w", e.ID, err)
	}
	err = s.inEventTx(ctx, func(tx *sql.Tx) error {
		var article, version int64
		err := tx.QueryRowContext(ctx, s.q("SELECT article_id, version FROM live_entries WHERE id = ?"), e.ID).Scan(&article, &version)
		// An entry of another blog is as good as missing: the article id
		// in the URL was forged or stale.
		if errors.Is(err, sql.ErrNoRows) || err == nil && article != e.ArticleID {
			return news.ErrNotFound
		}
		if err != nil {
			return err
		}
		if version != e.Version {
			return news.ErrConflict
		}
		if err := s.checkMedia(ctx, tx, e.Body); err != nil {
			return err
		}
		t := now()
		_, err = tx.ExecContext(ctx, s.q(`UPDATE live_entries SET title = ?, body = ?, key_event = ?, author_id = ?, updated_at = ?,
			version = version + 1 WHERE id = ?`), e.Title, string(body), e.Key, nullID(e.AuthorID), t, e.ID)
		if err != nil {
			return mapConstraint(err)
		}
		e.UpdatedAt = t
		e.Version++
		return s.liveChanged(ctx, tx, "liveblog.edit", e.ArticleID, e.ID, t)
	})
	if err != nil {
		return fmt.Errorf("update live entry %d: %w", e.ID, err)
	}
	return nil
}

// DeleteLiveEntry removes an entry of an article's live blog.
func (s *Store) DeleteLiveEntry(ctx context.Context, articleID, id int64) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM live_entries WHERE id = ? AND article_id = ?"), id, articleID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrNotFound
		}
		return s.liveChanged(ctx, tx, "liveblog.delete", articleID, id, now())
	})
	if err != nil {
		return fmt.Errorf("delete live entry %d: %w", id, err)
	}
	return nil
}

// LiveEntry reads one entry.
func (s *Store) LiveEntry(ctx context.Context, id int64) (*news.LiveEntry, error) {
	e, err := scanLiveEntry(s.db.QueryRowContext(ctx, s.q("SELECT "+liveEntryCols+liveEntryFrom+" WHERE e.id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("live entry %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("live entry %d: %w", id, err)
	}
	return &e, nil
}

// LiveEntries returns a page of a live blog's entries, newest first, and
// how many there are in all.
func (s *Store) LiveEntries(ctx context.Context, articleID int64, limit, offset int) ([]news.LiveEntry, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM live_entries WHERE article_id = ?"), articleID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count live entries of article %d: %w", articleID, err)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+liveEntryCols+liveEntryFrom+" WHERE e.article_id = ?"+liveEntryOrder+" LIMIT ? OFFSET ?"),
		articleID, limit, offset)
	out, err := collect(rows, err, fmt.Sprintf("live entries of article %d", articleID), func(r rowScanner) (news.LiveEntry, error) { return scanLiveEntry(r) })
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// KeyLiveEntries returns a live blog's latest key events, newest first,
// each with the number of entries newer than it, so a summary can link to
// the page an entry is on.
func (s *Store) KeyLiveEntries(ctx context.Context, articleID int64, limit int) ([]news.LiveEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+liveEntryCols+`,
		(SELECT COUNT(*) FROM live_entries x WHERE x.article_id = e.article_id
			AND (x.created_at > e.created_at OR x.created_at = e.created_at AND x.id > e.id))`+
		liveEntryFrom+" WHERE e.article_id = ? AND e.key_event"+liveEntryOrder+" LIMIT ?"), articleID, limit)
	return collect(rows, err, fmt.Sprintf("key events of article %d", articleID), func(r rowScanner) (news.LiveEntry, error) {
		var newer int
		e, err := scanLiveEntry(r, &newer)
		e.Newer = newer
		return e, err
	})
}
