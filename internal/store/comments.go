package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"khabar/internal/news"
)

const commentCols = `c.id, c.article_id, c.parent_id, c.status, c.name, c.email, c.body, c.identity, c.ip_hash,
	c.body_hash, c.held_for, c.reports, c.notify, c.created_at, c.updated_at`

func scanComment(r rowScanner, extra ...any) (news.Comment, error) {
	var (
		c      news.Comment
		parent sql.NullInt64
		status string
	)
	dest := append([]any{&c.ID, &c.ArticleID, &parent, &status, &c.Name, &c.Email, &c.Body, &c.Identity, &c.IPHash,
		&c.BodyHash, &c.HeldFor, &c.Reports, &c.Notify, &c.CreatedAt, &c.UpdatedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return c, err
	}
	c.ParentID = parent.Int64
	c.Status = news.CommentStatus(status)
	return c, nil
}

// CommentFacts is what the checks need to know about a new comment's
// author and text.
type CommentFacts struct {
	Banned      bool // an unexpired ban on the identity or the address
	HasApproved bool // the identity has had a comment approved before
	Duplicate   bool // the same text from the same person on the article within a day
}

// CommentFacts looks up bans, history and duplicates for a comment about
// to be posted.
func (s *Store) CommentFacts(ctx context.Context, c *news.Comment, at time.Time) (CommentFacts, error) {
	var f CommentFacts
	err := s.db.QueryRowContext(ctx, s.q(`SELECT
		EXISTS (SELECT 1 FROM comment_bans WHERE value IN (?, ?) AND (expires_at IS NULL OR expires_at > ?)),
		EXISTS (SELECT 1 FROM comments WHERE identity = ? AND status = 'approved'),
		EXISTS (SELECT 1 FROM comments WHERE article_id = ? AND body_hash = ? AND (identity = ? OR ip_hash = ?) AND created_at > ?)`),
		c.Identity, c.IPHash, utc(at), c.Identity, c.ArticleID, c.BodyHash, c.Identity, c.IPHash, utc(at.Add(-24*time.Hour))).
		Scan(&f.Banned, &f.HasApproved, &f.Duplicate)
	if err != nil {
		return f, fmt.Errorf("comment facts: %w", err)
	}
	return f, nil
}

// ErrParentGone is returned for a reply to a comment that is not (or no
// longer) public on the same article.
var ErrParentGone = errors.New("the comment replied to is not available")

// ErrTokenSpent is returned for a comment whose form token was spent on
// another comment.
var ErrTokenSpent = errors.New("the comment form token was spent already")

// FormToken is the part of a reader's comment form token the store keeps
// once it is spent: its random nonce, until the time it would be refused
// for its age anyway.
type FormToken struct {
	Nonce  string
	Lapses time.Time
}

// CreateComment stores a new comment on a published article. A reply to
// a reply is attached to the top-level comment, as replies are one level
// deep. An approved comment is counted and announced in the same
// transaction.
func (s *Store) CreateComment(ctx context.Context, c *news.Comment) error {
	return s.createComment(ctx, c, nil)
}

// PostComment stores a reader's comment as CreateComment does and spends
// its form token in the same transaction, so one token makes at most one
// comment whichever node takes it: ErrTokenSpent when it made one already.
func (s *Store) PostComment(ctx context.Context, c *news.Comment, tok FormToken) error {
	return s.createComment(ctx, c, &tok)
}

// CommentTokenSpent tells whether a form token made a comment already, so
// a replay is refused before it costs anything.
func (s *Store) CommentTokenSpent(ctx context.Context, nonce string) (bool, error) {
	var spent bool
	err := s.db.QueryRowContext(ctx, s.q("SELECT EXISTS (SELECT 1 FROM comment_tokens_spent WHERE nonce = ?)"), nonce).Scan(&spent)
	if err != nil {
		return false, fmt.Errorf("comment token spent: %w", err)
	}
	return spent, nil
}

// DeleteLapsedCommentTokens forgets spent tokens that are refused for
// their age now.
func (s *Store) DeleteLapsedCommentTokens(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q("DELETE FROM comment_tokens_spent WHERE lapses_at <= ?"), now())
	if err != nil {
		return 0, fmt.Errorf("delete lapsed comment tokens: %w", err)
	}
	return res.RowsAffected()
}

func (s *Store) createComment(ctx context.Context, c *news.Comment, tok *FormToken) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		if tok != nil {
			res, err := tx.ExecContext(ctx, s.q("INSERT INTO comment_tokens_spent (nonce, lapses_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING"),
				tok.Nonce, utc(tok.Lapses))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return ErrTokenSpent
			}
		}
		var status string
		err := tx.QueryRowContext(ctx, s.q("SELECT status FROM articles WHERE id = ?"), c.ArticleID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || status != string(news.StatusPublished) {
			return news.ErrNotFound
		}
		if err != nil {
			return err
		}
		if c.ParentID != 0 {
			var (
				article     int64
				grand       sql.NullInt64
				parentState string
			)
			err := tx.QueryRowContext(ctx, s.q("SELECT article_id, parent_id, status FROM comments WHERE id = ?"), c.ParentID).Scan(&article, &grand, &parentState)
			if errors.Is(err, sql.ErrNoRows) || err == nil && (article != c.ArticleID || parentState != string(news.CommentApproved)) {
				return ErrParentGone
			}
			if err != nil {
				return err
			}
			if grand.Valid {
				c.ParentID = grand.Int64
			}
		}
		t := now()
		// An import brings the comment's own date; anything else is new.
		if c.CreatedAt.IsZero() || c.CreatedAt.After(t) {
			c.CreatedAt = t
		}
		c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), t
		c.ID, err = s.insert(ctx, tx, `INSERT INTO comments (article_id, parent_id, status, name, email, body, identity, ip_hash,
			body_hash, held_for, notify, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ArticleID, nullID(c.ParentID), string(c.Status), c.Name, c.Email, c.Body, c.Identity, c.IPHash,
			c.BodyHash, c.HeldFor, c.Notify, c.CreatedAt, t)
		if err != nil {
			return err
		}
		if c.Status != news.CommentApproved {
			return nil
		}
		return s.commentsChanged(ctx, tx, c.ArticleID, c.ID)
	})
	if err != nil {
		return fmt.Errorf("create comment on article %d: %w", c.ArticleID, err)
	}
	return nil
}

// commentsChanged recounts an article's public comments and writes, for
// each comment whose public state changed, the event that refreshes its
// page, its cards and open readers (each event carries one comment, which
// open pages add or remove).
func (s *Store) commentsChanged(ctx context.Context, tx *sql.Tx, articleID int64, commentIDs ...int64) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE articles SET comment_count = (SELECT COUNT(*) FROM comments c
		WHERE c.article_id = articles.id AND c.status = 'approved'
		AND (c.parent_id IS NULL OR EXISTS (SELECT 1 FROM comments p WHERE p.id = c.parent_id AND p.status = 'approved')))
		WHERE id = ?`), articleID)
	if err != nil {
		return fmt.Errorf("count comments: %w", err)
	}
	ev := news.Event{Kind: news.EventCommentChanged, ArticleID: articleID}
	var sec int64
	if err := tx.QueryRowContext(ctx, s.q("SELECT section_id FROM articles WHERE id = ?"), articleID).Scan(&sec); err != nil {
		return fmt.Errorf("count comments: %w", err)
	}
	ev.Sections = []int64{sec}
	tags, err := s.articleTags(ctx, tx, articleID)
	if err != nil {
		return err
	}
	authors, err := s.articleAuthors(ctx, tx, articleID)
	if err != nil {
		return err
	}
	ev.Tags, ev.Authors = tagIDs(tags), authorIDs(authors)
	for _, id := range commentIDs {
		ev.Comment = id
		if err := s.writeEvent(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// GetComment reads one comment in any state.
func (s *Store) GetComment(ctx context.Context, id int64) (*news.Comment, error) {
	c, err := scanComment(s.db.QueryRowContext(ctx, s.q("SELECT "+commentCols+" FROM comments c WHERE c.id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("comment %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("comment %d: %w", id, err)
	}
	return &c, nil
}

// PublicComments returns a page of an article's approved top-level
// comments, newest or oldest first, each with its approved replies
// (oldest first), and the number of top-level comments.
func (s *Store) PublicComments(ctx context.Context, articleID int64, oldest bool, limit, offset int) ([]news.Comment, int, error) {
	order := "DESC"
	if oldest {
		order = "ASC"
	}
	var total int
	err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM comments WHERE article_id = ? AND status = 'approved' AND parent_id IS NULL"), articleID).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("count comments of article %d: %w", articleID, err)
	}
	top, err := s.queryComments(ctx, "SELECT "+commentCols+" FROM comments c WHERE c.article_id = ? AND c.status = 'approved' AND c.parent_id IS NULL ORDER BY c.created_at "+order+", c.id "+order+" LIMIT ? OFFSET ?",
		articleID, limit, offset)
	if err != nil || len(top) == 0 {
		return top, total, err
	}
	index := make(map[int64]int, len(top))
	ph := make([]string, len(top))
	args := make([]any, len(top))
	for i, c := range top {
		index[c.ID] = i
		ph[i], args[i] = "?", c.ID
	}
	replies, err := s.queryComments(ctx, "SELECT "+commentCols+" FROM comments c WHERE c.status = 'approved' AND c.parent_id IN ("+strings.Join(ph, ",")+") ORDER BY c.created_at, c.id", args...)
	if err != nil {
		return nil, 0, err
	}
	for _, r := range replies {
		p := &top[index[r.ParentID]]
		p.Replies = append(p.Replies, r)
	}
	return top, total, nil
}

func (s *Store) queryComments(ctx context.Context, query string, args ...any) ([]news.Comment, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	return collect(rows, err, "list comments", func(r rowScanner) (news.Comment, error) { return scanComment(r) })
}

// CommentFilter selects comments for moderation.
type CommentFilter struct {
	Status   news.CommentStatus // empty: every status
	Reported bool               // approved comments that readers reported
	Identity string
	IPHash   string
	Limit    int
	Offset   int
}

func (f CommentFilter) where() (string, []any) {
	var (
		conds []string
		args  []any
	)
	if f.Reported {
		conds = append(conds, "c.reports > 0 AND c.status = 'approved'")
	} else if f.Status != "" {
		conds, args = append(conds, "c.status = ?"), append(args, string(f.Status))
	}
	if f.Identity != "" {
		conds, args = append(conds, "c.identity = ?"), append(args, f.Identity)
	}
	if f.IPHash != "" {
		conds, args = append(conds, "c.ip_hash = ?"), append(args, f.IPHash)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// ListComments returns comments for the moderation queue with their
// article's headline: pending ones oldest first (a queue), others newest
// first.
func (s *Store) ListComments(ctx context.Context, f CommentFilter) ([]news.Comment, error) {
	where, args := f.where()
	order := " ORDER BY c.created_at DESC, c.id DESC"
	if f.Status == news.CommentPending && !f.Reported && f.Identity == "" && f.IPHash == "" {
		order = " ORDER BY c.created_at, c.id"
	}
	if f.Reported {
		order = " ORDER BY c.reports DESC, c.created_at DESC"
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+commentCols+", a.headline FROM comments c JOIN articles a ON a.id = c.article_id"+where+order+" LIMIT ? OFFSET ?"),
		append(args, f.Limit, f.Offset)...)
	return collect(rows, err, "list comments", func(r rowScanner) (news.Comment, error) {
		var headline string
		c, err := scanComment(r, &headline)
		c.ArticleHeadline = headline
		return c, err
	})
}

// CommentCounts counts comments per status, plus "reported".
func (s *Store) CommentCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM comments GROUP BY status
		UNION ALL SELECT 'reported', COUNT(*) FROM comments WHERE reports > 0 AND status = 'approved'`)
	return countBy[string](rows, err, "count comments")
}

// PendingComments is the length of the moderation queue, for the
// newsroom header.
func (s *Store) PendingComments(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM comments WHERE status = 'pending'").Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending comments: %w", err)
	}
	return n, nil
}

// ModerateComments moves comments to st and logs each move under actor.
// It returns the comments whose status changed, as they were before.
func (s *Store) ModerateComments(ctx context.Context, ids []int64, st news.CommentStatus, actor news.Actor) ([]news.Comment, error) {
	if !st.Valid() {
		return nil, fmt.Errorf("moderate comments: unknown status %q", st)
	}
	var changed []news.Comment
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		changed = changed[:0]
		articles := map[int64][]int64{} // article -> the comments whose change was public
		for _, id := range ids {
			c, err := scanComment(tx.QueryRowContext(ctx, s.q("SELECT "+commentCols+" FROM comments c WHERE c.id = ?"), id))
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("comment %d: %w", id, news.ErrNotFound)
			}
			if err != nil {
				return err
			}
			if c.Status == st {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q("UPDATE comments SET status = ?, held_for = '', updated_at = ? WHERE id = ?"), string(st), now(), id); err != nil {
				return err
			}
			if c.Status == news.CommentApproved || st == news.CommentApproved {
				articles[c.ArticleID] = append(articles[c.ArticleID], id)
			}
			if err := s.writeAudit(ctx, tx, actor, "comment."+string(st), commentTarget(id), string(c.Status)+" → "+string(st)); err != nil {
				return err
			}
			changed = append(changed, c)
		}
		for article, ids := range articles {
			if err := s.commentsChanged(ctx, tx, article, ids...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("moderate comments: %w", err)
	}
	return changed, nil
}

func commentTarget(id int64) string { return "comment " + strconv.FormatInt(id, 10) }

// EditComment replaces a comment's text, as a moderator's correction.
func (s *Store) EditComment(ctx context.Context, id int64, body string, actor news.Actor) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		var (
			article int64
			status  string
		)
		err := tx.QueryRowContext(ctx, s.q("SELECT article_id, status FROM comments WHERE id = ?"), id).Scan(&article, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return news.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE comments SET body = ?, updated_at = ? WHERE id = ?"), body, now(), id); err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, actor, "comment.edit", commentTarget(id), ""); err != nil {
			return err
		}
		if status != string(news.CommentApproved) {
			return nil
		}
		return s.commentsChanged(ctx, tx, article, id)
	})
	if err != nil {
		return fmt.Errorf("edit comment %d: %w", id, err)
	}
	return nil
}

// ReportComment records a reader's report of an approved comment; a
// second report from the same address counts once.
func (s *Store) ReportComment(ctx context.Context, id int64, ipHash string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, s.q("SELECT status FROM comments WHERE id = ?"), id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != string(news.CommentApproved) {
			return news.ErrNotFound
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("INSERT INTO comment_reports (comment_id, ip_hash, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"), id, ipHash, now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q("UPDATE comments SET reports = reports + 1 WHERE id = ?"), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("report comment %d: %w", id, err)
	}
	return nil
}

// UnreportComment takes back the report of comment id from the reader at
// ipHash, if there is one.
func (s *Store) UnreportComment(ctx context.Context, id int64, ipHash string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM comment_reports WHERE comment_id = ? AND ip_hash = ?"), id, ipHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q("UPDATE comments SET reports = reports - 1 WHERE id = ? AND reports > 0"), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("take back report of comment %d: %w", id, err)
	}
	return nil
}

// AddCommentBan bans an identity or an address hash.
func (s *Store) AddCommentBan(ctx context.Context, b *news.CommentBan, actor news.Actor) error {
	if b.Kind != news.BanIdentity && b.Kind != news.BanIP || b.Value == "" {
		return fmt.Errorf("ban commenter: %w", &news.InvalidError{Fields: map[string]string{"kind": "unknown"}})
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		b.CreatedAt, b.CreatedBy = now(), actor.Name
		var err error
		b.ID, err = s.insert(ctx, tx, "INSERT INTO comment_bans (kind, value, reason, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			b.Kind, b.Value, b.Reason, nullTime(b.ExpiresAt), nullID(actor.UserID), b.CreatedAt)
		if err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actor, "comment.ban", b.Kind+" "+shortHash(b.Value), b.Reason)
	})
	if err != nil {
		return fmt.Errorf("ban commenter: %w", err)
	}
	return nil
}

// shortHash is enough of a hash for a person to tell bans apart.
func shortHash(h string) string { return h[:min(len(h), 12)] }

// CommentBans lists the bans still in force at t.
func (s *Store) CommentBans(ctx context.Context, t time.Time) ([]news.CommentBan, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT b.id, b.kind, b.value, b.reason, b.expires_at, COALESCE(u.name, ''), b.created_at
		FROM comment_bans b LEFT JOIN users u ON u.id = b.created_by
		WHERE b.expires_at IS NULL OR b.expires_at > ? ORDER BY b.created_at DESC LIMIT 500`), utc(t))
	return collect(rows, err, "list bans", func(r rowScanner) (news.CommentBan, error) {
		var (
			b   news.CommentBan
			exp sql.NullTime
		)
		err := r.Scan(&b.ID, &b.Kind, &b.Value, &b.Reason, &exp, &b.CreatedBy, &b.CreatedAt)
		b.ExpiresAt = exp.Time
		return b, err
	})
}

// DeleteCommentBan lifts a ban.
func (s *Store) DeleteCommentBan(ctx context.Context, id int64, actor news.Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var kind, value string
		err := tx.QueryRowContext(ctx, s.q("SELECT kind, value FROM comment_bans WHERE id = ?"), id).Scan(&kind, &value)
		if errors.Is(err, sql.ErrNoRows) {
			return news.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM comment_bans WHERE id = ?"), id); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actor, "comment.unban", kind+" "+shortHash(value), "")
	})
	if err != nil {
		return fmt.Errorf("lift ban %d: %w", id, err)
	}
	return nil
}

// MarkCommentNotified records that the notice of a reply is being sent;
// false when it already was, so a notice goes out once.
func (s *Store) MarkCommentNotified(ctx context.Context, id int64, notified bool) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE comments SET notified = ? WHERE id = ? AND notified <> ?"), notified, id, notified)
	if err != nil {
		return false, fmt.Errorf("mark comment %d notified: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// StopReplyNotices turns off reply notices for every comment of an
// address (the unsubscribe link in a notice).
func (s *Store) StopReplyNotices(ctx context.Context, email string) error {
	if _, err := s.db.ExecContext(ctx, s.q("UPDATE comments SET notify = FALSE WHERE email = ?"), email); err != nil {
		return fmt.Errorf("stop reply notices: %w", err)
	}
	return nil
}
