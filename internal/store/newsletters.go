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

const newsletterListCols = "id, name, description, cadence, weekday, send_time, COALESCE(section_id, 0), enabled, count_clicks, created_at, updated_at"

func scanNewsletterList(r rowScanner) (news.NewsletterList, error) {
	var l news.NewsletterList
	err := r.Scan(&l.ID, &l.Name, &l.Description, &l.Cadence, &l.Weekday, &l.SendTime, &l.SectionID, &l.Enabled, &l.CountClicks, &l.CreatedAt, &l.UpdatedAt)
	return l, err
}

// NewsletterLists returns the lists in the order they were made; only
// the enabled ones when enabled is set.
func (s *Store) NewsletterLists(ctx context.Context, enabled bool) ([]news.NewsletterList, error) {
	where := ""
	if enabled {
		where = " WHERE enabled"
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+newsletterListCols+" FROM newsletter_lists"+where+" ORDER BY id")
	return collect(rows, err, "list newsletters", scanNewsletterList)
}

// GetNewsletterList reads one list, or news.ErrNotFound.
func (s *Store) GetNewsletterList(ctx context.Context, id int64) (*news.NewsletterList, error) {
	l, err := scanNewsletterList(s.db.QueryRowContext(ctx, s.q("SELECT "+newsletterListCols+" FROM newsletter_lists WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("newsletter %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("newsletter %d: %w", id, err)
	}
	return &l, nil
}

// SaveNewsletterList creates the list (ID 0) or updates it, with an audit
// entry in the same transaction.
func (s *Store) SaveNewsletterList(ctx context.Context, l *news.NewsletterList, actor news.Actor) error {
	if err := l.Normalize(); err != nil {
		return err
	}
	t := now()
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		action := "newsletter.update"
		if l.ID == 0 {
			action = "newsletter.create"
			var err error
			l.ID, err = s.insert(ctx, tx, `INSERT INTO newsletter_lists (name, description, cadence, weekday, send_time, section_id, enabled, count_clicks, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.Name, l.Description, l.Cadence, l.Weekday, l.SendTime, nullID(l.SectionID), l.Enabled, l.CountClicks, t, t)
			if err != nil {
				return mapConstraint(err)
			}
			l.CreatedAt = t
		} else {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE newsletter_lists SET name = ?, description = ?, cadence = ?, weekday = ?, send_time = ?, section_id = ?,
				enabled = ?, count_clicks = ?, updated_at = ? WHERE id = ?`), l.Name, l.Description, l.Cadence, l.Weekday, l.SendTime, nullID(l.SectionID),
				l.Enabled, l.CountClicks, t, l.ID)
			if err != nil {
				return mapConstraint(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return news.ErrNotFound
			}
		}
		l.UpdatedAt = t
		if err := s.writeAudit(ctx, tx, actor, action, "newsletter "+strconv.FormatInt(l.ID, 10), l.Name); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventNewsletterChanged})
	})
	if err != nil {
		return fmt.Errorf("save newsletter: %w", err)
	}
	return nil
}

// AddNewsletterSubscriber records an address waiting for its confirmation
// on each list; an address already on a list keeps its state there.
func (s *Store) AddNewsletterSubscriber(ctx context.Context, email string, lists []int64) error {
	t := now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range lists {
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO newsletter_subscribers (list_id, email, created_at) VALUES (?, ?, ?)
				ON CONFLICT (list_id, email) DO NOTHING`), id, email, t)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add newsletter subscriber: %w", err)
	}
	return nil
}

// ConfirmNewsletterSubscriber confirms an address on the lists it asked
// for (double opt-in); news.ErrNotFound when it is on none of them any
// more.
func (s *Store) ConfirmNewsletterSubscriber(ctx context.Context, email string, lists []int64) error {
	if len(lists) == 0 {
		return fmt.Errorf("confirm newsletter subscriber: %w", news.ErrNotFound)
	}
	ph, args := placeholders(lists)
	args = append([]any{now(), email}, args...)
	res, err := s.db.ExecContext(ctx, s.q("UPDATE newsletter_subscribers SET confirmed = TRUE, confirmed_at = COALESCE(confirmed_at, ?) WHERE email = ? AND list_id IN ("+ph+")"), args...)
	if err != nil {
		return fmt.Errorf("confirm newsletter subscriber: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("confirm newsletter subscriber: %w", news.ErrNotFound)
	}
	return nil
}

// RemoveNewsletterSubscriber takes an address off a list, or off every
// list when listID is 0. Removing what is not there is no error: an
// unsubscribe link may be used twice.
func (s *Store) RemoveNewsletterSubscriber(ctx context.Context, email string, listID int64) error {
	query, args := "DELETE FROM newsletter_subscribers WHERE email = ?", []any{email}
	if listID != 0 {
		query, args = query+" AND list_id = ?", append(args, listID)
	}
	if _, err := s.db.ExecContext(ctx, s.q(query), args...); err != nil {
		return fmt.Errorf("remove newsletter subscriber: %w", err)
	}
	return nil
}

// NewsletterSubscriberCounts gives each list's confirmed subscribers.
func (s *Store) NewsletterSubscriberCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT list_id, COUNT(*) FROM newsletter_subscribers WHERE confirmed GROUP BY list_id")
	return countBy[int64](rows, err, "count newsletter subscribers")
}

// Suppress keeps email from every newsletter for good: a hard bounce or a
// complaint. Suppressing twice keeps the first reason.
func (s *Store) Suppress(ctx context.Context, email, reason string) error {
	if !news.SuppressionReasons[reason] {
		return fmt.Errorf("suppress %q: unknown reason %q", email, reason)
	}
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO email_suppressions (email, reason, created_at) VALUES (?, ?, ?) ON CONFLICT (email) DO NOTHING"),
		strings.ToLower(email), reason, now())
	if err != nil {
		return fmt.Errorf("suppress %q: %w", email, err)
	}
	return nil
}

// Suppressed tells whether email is suppressed.
func (s *Store) Suppressed(ctx context.Context, email string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM email_suppressions WHERE email = ?"), strings.ToLower(email)).Scan(&n); err != nil {
		return false, fmt.Errorf("suppressed %q: %w", email, err)
	}
	return n > 0, nil
}

const issueCols = "id, list_id, slot, period_start, subject, intro, articles, edited, status, created_at, updated_at, sent_at"

func scanIssue(r rowScanner) (news.NewsletterIssue, error) {
	var (
		i        news.NewsletterIssue
		articles string
		sent     sql.NullTime
	)
	err := r.Scan(&i.ID, &i.ListID, &i.Slot, &i.PeriodStart, &i.Subject, &i.Intro, &articles, &i.Edited, &i.Status, &i.CreatedAt, &i.UpdatedAt, &sent)
	i.SentAt = sent.Time
	for _, f := range strings.Fields(articles) {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			i.Articles = append(i.Articles, id)
		}
	}
	return i, err
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, " ")
}

// GetNewsletterIssue reads one issue, or news.ErrNotFound.
func (s *Store) GetNewsletterIssue(ctx context.Context, id int64) (*news.NewsletterIssue, error) {
	i, err := scanIssue(s.db.QueryRowContext(ctx, s.q("SELECT "+issueCols+" FROM newsletter_issues WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("newsletter issue %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("newsletter issue %d: %w", id, err)
	}
	return &i, nil
}

// NewsletterIssues returns a list's latest issues, the newest first.
func (s *Store) NewsletterIssues(ctx context.Context, listID int64, limit int) ([]news.NewsletterIssue, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+issueCols+" FROM newsletter_issues WHERE list_id = ? ORDER BY slot DESC LIMIT ?"), listID, limit)
	return collect(rows, err, "list newsletter issues", scanIssue)
}

// PutDraftIssue stores the automatic build of a list's issue for its slot:
// a new draft, or a fresh build of a draft no editor has touched. It
// returns the issue as stored, which is the editors' when they edited it.
func (s *Store) PutDraftIssue(ctx context.Context, i *news.NewsletterIssue) (*news.NewsletterIssue, error) {
	t := now()
	var id int64
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO newsletter_issues (list_id, slot, period_start, subject, intro, articles, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (list_id, slot) DO UPDATE SET articles = excluded.articles, subject = excluded.subject, period_start = excluded.period_start,
			updated_at = excluded.updated_at
		WHERE NOT newsletter_issues.edited AND newsletter_issues.status = 'draft'
		RETURNING id`), i.ListID, utc(i.Slot), utc(i.PeriodStart), i.Subject, i.Intro, joinIDs(i.Articles), t, t).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// Edited or gone out: left as it is.
		err = s.db.QueryRowContext(ctx, s.q("SELECT id FROM newsletter_issues WHERE list_id = ? AND slot = ?"), i.ListID, utc(i.Slot)).Scan(&id)
	}
	if err != nil {
		return nil, fmt.Errorf("put draft issue: %w", err)
	}
	return s.GetNewsletterIssue(ctx, id)
}

// EditNewsletterIssue saves an editor's subject, introduction and stories
// of a draft; it is not rebuilt automatically any more.
func (s *Store) EditNewsletterIssue(ctx context.Context, i *news.NewsletterIssue, actor news.Actor) error {
	if err := i.Normalize(); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE newsletter_issues SET subject = ?, intro = ?, articles = ?, edited = TRUE, updated_at = ? WHERE id = ? AND status = 'draft'"),
			i.Subject, i.Intro, joinIDs(i.Articles), now(), i.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrConflict
		}
		return s.writeAudit(ctx, tx, actor, "newsletter.edit", "newsletter_issue "+strconv.FormatInt(i.ID, 10), i.Subject)
	})
	if err != nil {
		return fmt.Errorf("edit newsletter issue %d: %w", i.ID, err)
	}
	return nil
}

// StartNewsletterIssue turns a draft into an issue being sent: its
// confirmed subscribers, as they are now, cut into batches of at most
// size. It returns the batches; an issue already started returns news.ErrConflict.
func (s *Store) StartNewsletterIssue(ctx context.Context, issueID int64, size int, actor news.Actor) ([]news.NewsletterBatch, error) {
	var out []news.NewsletterBatch
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		var listID int64
		err := tx.QueryRowContext(ctx, s.q("UPDATE newsletter_issues SET status = 'sending', updated_at = ? WHERE id = ? AND status = 'draft' RETURNING list_id"),
			now(), issueID).Scan(&listID)
		if errors.Is(err, sql.ErrNoRows) {
			return news.ErrConflict
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q("SELECT id FROM newsletter_subscribers WHERE list_id = ? AND confirmed ORDER BY id"), listID)
		ids, err := collect(rows, err, "plan newsletter batches", scanOne[int64])
		if err != nil {
			return err
		}
		var prev int64
		for i := 0; i < len(ids); i += size {
			last := ids[min(i+size, len(ids))-1]
			b := news.NewsletterBatch{IssueID: issueID, FirstID: prev + 1, LastID: last}
			if b.ID, err = s.insert(ctx, tx, "INSERT INTO newsletter_batches (issue_id, first_id, last_id) VALUES (?, ?, ?)", issueID, b.FirstID, b.LastID); err != nil {
				return err
			}
			out = append(out, b)
			prev = last
		}
		if len(out) == 0 {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE newsletter_issues SET status = 'sent', sent_at = ? WHERE id = ?"), now(), issueID); err != nil {
				return err
			}
		}
		return s.writeAudit(ctx, tx, actor, "newsletter.send", "newsletter_issue "+strconv.FormatInt(issueID, 10), strconv.Itoa(len(ids)))
	})
	if err != nil {
		return nil, fmt.Errorf("start newsletter issue %d: %w", issueID, err)
	}
	return out, nil
}

// PendingNewsletterBatches are the batches not done yet, of every issue.
func (s *Store) PendingNewsletterBatches(ctx context.Context) ([]news.NewsletterBatch, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, issue_id, first_id, last_id, done FROM newsletter_batches WHERE NOT done ORDER BY id")
	return collect(rows, err, "pending newsletter batches", scanBatch)
}

func scanBatch(r rowScanner) (news.NewsletterBatch, error) {
	var b news.NewsletterBatch
	err := r.Scan(&b.ID, &b.IssueID, &b.FirstID, &b.LastID, &b.Done)
	return b, err
}

// GetNewsletterBatch reads one batch, or news.ErrNotFound.
func (s *Store) GetNewsletterBatch(ctx context.Context, id int64) (*news.NewsletterBatch, error) {
	b, err := scanBatch(s.db.QueryRowContext(ctx, s.q("SELECT id, issue_id, first_id, last_id, done FROM newsletter_batches WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("newsletter batch %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("newsletter batch %d: %w", id, err)
	}
	return &b, nil
}

// NewsletterRecipients returns up to limit confirmed subscribers of the
// batch's range that the issue has not reached yet (no delivery row) and
// that are not suppressed, in id order after after.
func (s *Store) NewsletterRecipients(ctx context.Context, b *news.NewsletterBatch, after int64, limit int) ([]news.NewsletterRecipient, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT n.id, n.email FROM newsletter_subscribers n
		JOIN newsletter_issues i ON i.id = ? AND i.list_id = n.list_id
		WHERE n.confirmed AND n.id >= ? AND n.id <= ? AND n.id > ?
		AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries d WHERE d.issue_id = i.id AND d.subscriber_id = n.id)
		AND NOT EXISTS (SELECT 1 FROM email_suppressions x WHERE x.email = n.email)
		ORDER BY n.id LIMIT ?`), b.IssueID, b.FirstID, b.LastID, after, limit)
	return collect(rows, err, "newsletter recipients", func(r rowScanner) (news.NewsletterRecipient, error) {
		var x news.NewsletterRecipient
		err := r.Scan(&x.ID, &x.Email)
		return x, err
	})
}

// ClaimNewsletterDelivery marks a recipient of an issue as being mailed
// now; false when the row is there already (another attempt took it).
func (s *Store) ClaimNewsletterDelivery(ctx context.Context, issueID, subscriberID int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO newsletter_deliveries (issue_id, subscriber_id, state, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (issue_id, subscriber_id) DO NOTHING`), issueID, subscriberID, news.DeliverySending, now())
	if err != nil {
		return false, fmt.Errorf("claim newsletter delivery: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FinishNewsletterDelivery records what became of a claimed recipient;
// state "" releases the claim, so a later attempt mails them (a
// temporary failure).
func (s *Store) FinishNewsletterDelivery(ctx context.Context, issueID, subscriberID int64, state, errText string) error {
	var err error
	if state == "" {
		_, err = s.db.ExecContext(ctx, s.q("DELETE FROM newsletter_deliveries WHERE issue_id = ? AND subscriber_id = ?"), issueID, subscriberID)
	} else {
		_, err = s.db.ExecContext(ctx, s.q("UPDATE newsletter_deliveries SET state = ?, error = ?, updated_at = ? WHERE issue_id = ? AND subscriber_id = ?"),
			state, errText, now(), issueID, subscriberID)
	}
	if err != nil {
		return fmt.Errorf("finish newsletter delivery: %w", err)
	}
	return nil
}

// FinishNewsletterBatch marks a batch done, and its issue sent when it
// was the last.
func (s *Store) FinishNewsletterBatch(ctx context.Context, b *news.NewsletterBatch) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q("UPDATE newsletter_batches SET done = TRUE WHERE id = ?"), b.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE newsletter_issues SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'sending'
			AND NOT EXISTS (SELECT 1 FROM newsletter_batches WHERE issue_id = ? AND NOT done)`), now(), b.IssueID, b.IssueID)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish newsletter batch %d: %w", b.ID, err)
	}
	return nil
}

// NewsletterStats counts an issue's deliveries by state, and its clicks.
func (s *Store) NewsletterStats(ctx context.Context, issueID int64) (news.NewsletterStats, error) {
	var st news.NewsletterStats
	rows, err := s.db.QueryContext(ctx, s.q("SELECT state, COUNT(*) FROM newsletter_deliveries WHERE issue_id = ? GROUP BY state"), issueID)
	counts, err := countBy[string](rows, err, "newsletter stats")
	if err != nil {
		return st, err
	}
	for state, n := range counts {
		switch state {
		case news.DeliverySent:
			st.Sent = n
		case news.DeliveryFailed:
			st.Failed = n
		case news.DeliveryBounced:
			st.Bounced = n
		default:
			st.Pending += n
		}
	}
	err = s.db.QueryRowContext(ctx, s.q("SELECT COALESCE(SUM(clicks), 0) FROM newsletter_clicks WHERE issue_id = ?"), issueID).Scan(&st.Clicks)
	if err != nil {
		return st, fmt.Errorf("newsletter clicks: %w", err)
	}
	return st, nil
}

// CountNewsletterClick adds one click on an issue's story.
func (s *Store) CountNewsletterClick(ctx context.Context, issueID, articleID int64) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO newsletter_clicks (issue_id, article_id, clicks) VALUES (?, ?, 1)
		ON CONFLICT (issue_id, article_id) DO UPDATE SET clicks = newsletter_clicks.clicks + 1`), issueID, articleID)
	if err != nil {
		return fmt.Errorf("count newsletter click: %w", err)
	}
	return nil
}

// DueNewsletterIssues are the drafts whose time has come.
func (s *Store) DueNewsletterIssues(ctx context.Context, at time.Time) ([]news.NewsletterIssue, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+issueCols+" FROM newsletter_issues WHERE status = 'draft' AND slot <= ? ORDER BY slot"), utc(at))
	return collect(rows, err, "due newsletter issues", scanIssue)
}
