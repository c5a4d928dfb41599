package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// SavePushSubscription stores a browser's subscription, or updates its
// keys and topics when the endpoint is known.
func (s *Store) SavePushSubscription(ctx context.Context, p *news.PushSubscription) error {
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO push_subscriptions (endpoint, p256dh, auth, topics, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, topics = excluded.topics RETURNING id`),
		p.Endpoint, p.P256dh, p.Auth, p.Topics, now()).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("save push subscription: %w", err)
	}
	return nil
}

// DeletePushSubscription forgets a browser by its endpoint.
func (s *Store) DeletePushSubscription(ctx context.Context, endpoint string) error {
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM push_subscriptions WHERE endpoint = ?"), endpoint); err != nil {
		return fmt.Errorf("delete push subscription: %w", err)
	}
	return nil
}

// DeletePushSubscriptions removes subscriptions their push service said
// are gone.
func (s *Store) DeletePushSubscriptions(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	ph, args := placeholders(ids)
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM push_subscriptions WHERE id IN ("+ph+")"), args...); err != nil {
		return fmt.Errorf("delete push subscriptions: %w", err)
	}
	return nil
}

func placeholders(ids []int64) (string, []any) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = "?", id
	}
	return strings.Join(ph, ","), args
}

// topicMatch is the condition that a row's space-separated topics hold
// topic.
const topicMatch = "(' ' || topics || ' ') LIKE ?"

func topicArg(topic string) string { return "% " + topic + " %" }

// PushSubscriptions returns up to limit subscriptions to topic with ids
// in (after, last], in id order.
func (s *Store) PushSubscriptions(ctx context.Context, topic string, after, last int64, limit int) ([]news.PushSubscription, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT id, endpoint, p256dh, auth, topics FROM push_subscriptions WHERE id > ? AND id <= ? AND "+topicMatch+" ORDER BY id LIMIT ?"),
		after, last, topicArg(topic), limit)
	return collect(rows, err, "list push subscriptions", func(r rowScanner) (news.PushSubscription, error) {
		var p news.PushSubscription
		err := r.Scan(&p.ID, &p.Endpoint, &p.P256dh, &p.Auth, &p.Topics)
		return p, err
	})
}

// SubscriptionBatches cuts the subscribers of a channel ("push" or
// "email") to topic into id ranges of at most size each, with their
// counts.
func (s *Store) SubscriptionBatches(ctx context.Context, channel, topic string, size int) ([]news.AlertDelivery, error) {
	table, extra := "push_subscriptions", ""
	if channel == "email" {
		table, extra = "email_subscribers", " AND confirmed"
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT id FROM "+table+" WHERE "+topicMatch+extra+" ORDER BY id"), topicArg(topic))
	ids, err := collect(rows, err, "plan "+channel+" batches", scanOne[int64])
	if err != nil {
		return nil, err
	}
	var (
		out  []news.AlertDelivery
		prev int64
	)
	for _, id := range ids {
		if len(out) == 0 || out[len(out)-1].Total == size {
			// A batch starts just after the previous one's last id, so a
			// resumed batch never reads past its range.
			out = append(out, news.AlertDelivery{Channel: channel, FirstID: prev + 1})
		}
		b := &out[len(out)-1]
		b.LastID, b.Total = id, b.Total+1
		prev = id
	}
	return out, nil
}

// AddEmailSubscriber records an address waiting for its confirmation;
// an address already there keeps its state.
func (s *Store) AddEmailSubscriber(ctx context.Context, email, topics string) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO email_subscribers (email, topics, created_at) VALUES (?, ?, ?)
		ON CONFLICT (email) DO NOTHING`), email, topics, now())
	if err != nil {
		return fmt.Errorf("add e-mail subscriber: %w", err)
	}
	return nil
}

// ConfirmEmailSubscriber marks an address confirmed (double opt-in).
func (s *Store) ConfirmEmailSubscriber(ctx context.Context, email string) error {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE email_subscribers SET confirmed = TRUE, confirmed_at = ? WHERE email = ?"), now(), email)
	if err != nil {
		return fmt.Errorf("confirm e-mail subscriber: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("confirm e-mail subscriber: %w", news.ErrNotFound)
	}
	return nil
}

// RemoveEmailSubscriber unsubscribes an address.
func (s *Store) RemoveEmailSubscriber(ctx context.Context, email string) error {
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM email_subscribers WHERE email = ?"), email); err != nil {
		return fmt.Errorf("remove e-mail subscriber: %w", err)
	}
	return nil
}

// EmailSubscribers returns up to limit confirmed subscribers to topic with
// ids in (after, last], in id order.
func (s *Store) EmailSubscribers(ctx context.Context, topic string, after, last int64, limit int) ([]news.EmailSubscriber, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT id, email, confirmed, topics FROM email_subscribers WHERE confirmed AND id > ? AND id <= ? AND "+topicMatch+" ORDER BY id LIMIT ?"),
		after, last, topicArg(topic), limit)
	return collect(rows, err, "list e-mail subscribers", func(r rowScanner) (news.EmailSubscriber, error) {
		var e news.EmailSubscriber
		err := r.Scan(&e.ID, &e.Email, &e.Confirmed, &e.Topics)
		return e, err
	})
}

// CreateAlert stores an alert and announces it to the fan-out in the same
// transaction, so it is delivered even if the server stops right after.
func (s *Store) CreateAlert(ctx context.Context, a *news.Alert) error {
	if a.CreatedBy == (news.Actor{}) {
		a.CreatedBy = actorFrom(ctx)
	}
	if err := s.inEventTx(ctx, func(tx *sql.Tx) error { return s.createAlert(ctx, tx, a) }); err != nil {
		return fmt.Errorf("create alert: %w", err)
	}
	return nil
}

func (s *Store) createAlert(ctx context.Context, tx *sql.Tx, a *news.Alert) error {
	a.CreatedAt = now()
	var err error
	a.ID, err = s.insert(ctx, tx, `INSERT INTO alerts (title, body, url, urgency, topic, channels, article_id, created_by, created_by_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Title, a.Text, a.URL, a.Urgency, a.Topic, strings.Join(a.Channels, " "),
		nullID(a.ArticleID), nullID(a.CreatedBy.UserID), a.CreatedBy.Name, a.CreatedAt)
	if err != nil {
		return err
	}
	if err := s.writeAudit(ctx, tx, a.CreatedBy, "alert.send", "alert "+strconv.FormatInt(a.ID, 10), a.Title); err != nil {
		return err
	}
	return s.writeEvent(ctx, tx, news.Event{Kind: news.EventAlertCreated, ArticleID: a.ArticleID, Alert: a.ID})
}

const alertCols = "id, title, body, url, urgency, topic, channels, COALESCE(article_id, 0), COALESCE(created_by, 0), created_by_name, created_at"

func scanAlert(r rowScanner) (news.Alert, error) {
	var (
		a        news.Alert
		channels string
	)
	err := r.Scan(&a.ID, &a.Title, &a.Text, &a.URL, &a.Urgency, &a.Topic, &channels, &a.ArticleID, &a.CreatedBy.UserID, &a.CreatedBy.Name, &a.CreatedAt)
	a.Channels = strings.Fields(channels)
	return a, err
}

// GetAlert reads an alert with its progress.
func (s *Store) GetAlert(ctx context.Context, id int64) (*news.Alert, error) {
	a, err := scanAlert(s.db.QueryRowContext(ctx, s.q("SELECT "+alertCols+" FROM alerts WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("alert %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("alert %d: %w", id, err)
	}
	list := []news.Alert{a}
	if err := s.alertProgress(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// ListAlerts returns the latest alerts with their progress.
func (s *Store) ListAlerts(ctx context.Context, limit, offset int) ([]news.Alert, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+alertCols+" FROM alerts ORDER BY id DESC LIMIT ? OFFSET ?"), limit, offset)
	out, err := collect(rows, err, "list alerts", scanAlert)
	if err != nil {
		return nil, err
	}
	return out, s.alertProgress(ctx, out)
}

// AlertsSince returns the latest alerts made at or after since (at most
// limit, without their progress) and how many there are in all: the
// desk's "alerts sent today".
func (s *Store) AlertsSince(ctx context.Context, since time.Time, limit int) ([]news.Alert, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM alerts WHERE created_at >= ?"), utc(since)).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count alerts: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+alertCols+" FROM alerts WHERE created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?"), utc(since), limit)
	out, err := collect(rows, err, "alerts since", scanAlert)
	return out, total, err
}

// alertProgress fills each alert's per-channel sums.
func (s *Store) alertProgress(ctx context.Context, alerts []news.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	index := map[int64]int{}
	ids := make([]int64, len(alerts))
	for i, a := range alerts {
		index[a.ID], ids[i] = i, a.ID
	}
	ph, args := placeholders(ids)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT alert_id, channel, SUM(total), SUM(sent), SUM(failed), SUM(gone), MIN(CASE WHEN done THEN 1 ELSE 0 END)
		FROM alert_deliveries WHERE alert_id IN (`+ph+`) GROUP BY alert_id, channel`), args...)
	type sums struct {
		id int64
		p  news.AlertProgress
	}
	list, err := collect(rows, err, "alert progress", func(r rowScanner) (sums, error) {
		var (
			x    sums
			done int
		)
		err := r.Scan(&x.id, &x.p.Channel, &x.p.Total, &x.p.Sent, &x.p.Failed, &x.p.Gone, &done)
		x.p.Done = done == 1
		return x, err
	})
	if err != nil {
		return err
	}
	got := map[int64]map[string]news.AlertProgress{}
	for _, x := range list {
		if got[x.id] == nil {
			got[x.id] = map[string]news.AlertProgress{}
		}
		got[x.id][x.p.Channel] = x.p
	}
	for i := range alerts {
		a := &alerts[i]
		a.Progress = a.Progress[:0]
		for _, ch := range a.Channels {
			p, ok := got[a.ID][ch]
			if !ok {
				p = news.AlertProgress{Channel: ch}
			}
			a.Progress = append(a.Progress, p)
		}
	}
	return nil
}

// PlanDeliveries stores an alert's batches, once: when the alert already
// has batches (a plan interrupted by a restart and run again), it returns
// those instead.
func (s *Store) PlanDeliveries(ctx context.Context, alertID int64, batches []news.AlertDelivery) ([]news.AlertDelivery, error) {
	var out []news.AlertDelivery
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM alert_deliveries WHERE alert_id = ?"), alertID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			t := now()
			for _, b := range batches {
				_, err := tx.ExecContext(ctx, s.q(`INSERT INTO alert_deliveries (alert_id, channel, first_id, last_id, done_up_to, total, done, error, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), alertID, b.Channel, b.FirstID, b.LastID, max(b.FirstID-1, 0), b.Total, b.Total == 0, b.Error, t)
				if err != nil {
					return err
				}
			}
		}
		var err error
		out, err = s.deliveries(ctx, tx, "alert_id = ?", alertID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("plan deliveries of alert %d: %w", alertID, err)
	}
	return out, nil
}

func (s *Store) deliveries(ctx context.Context, db querier, where string, arg any) ([]news.AlertDelivery, error) {
	rows, err := db.QueryContext(ctx, s.q(`SELECT id, alert_id, channel, first_id, last_id, done_up_to, done_extra, total, sent, failed, gone, done, error
		FROM alert_deliveries WHERE `+where+` ORDER BY id`), arg)
	return collect(rows, err, "read deliveries", func(r rowScanner) (news.AlertDelivery, error) {
		var (
			d    news.AlertDelivery
			skip string
		)
		err := r.Scan(&d.ID, &d.AlertID, &d.Channel, &d.FirstID, &d.LastID, &d.DoneUpTo, &skip, &d.Total, &d.Sent, &d.Failed, &d.Gone, &d.Done, &d.Error)
		for _, f := range strings.Fields(skip) {
			if id, err := strconv.ParseInt(f, 10, 64); err == nil {
				d.Skip = append(d.Skip, id)
			}
		}
		return d, err
	})
}

// GetDelivery reads one batch.
func (s *Store) GetDelivery(ctx context.Context, id int64) (*news.AlertDelivery, error) {
	list, err := s.deliveries(ctx, s.db, "id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("delivery %d: %w", id, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("delivery %d: %w", id, news.ErrNotFound)
	}
	return &list[0], nil
}

// ClaimDelivery takes a batch for owner until the lease ends, unless
// another owner holds an unexpired lease; false when it is held or done.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, owner string, lease time.Duration) (bool, error) {
	t := now()
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE alert_deliveries SET lease_owner = ?, lease_until = ?
		WHERE id = ? AND NOT done AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?)`), owner, t.Add(lease), id, t, owner)
	if err != nil {
		return false, fmt.Errorf("claim delivery %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DeliveryProgress is what a batch has done since its last checkpoint.
type DeliveryProgress struct {
	DoneUpTo           int64   // everything up to here has been tried
	Skip               []int64 // and these past it too
	Sent, Failed, Gone int     // added to the batch's counts
	Done               bool    // the batch is finished
	LastErr            string
}

// RecordDelivery saves a batch's progress.
func (s *Store) RecordDelivery(ctx context.Context, id int64, p DeliveryProgress) error {
	skip := make([]string, len(p.Skip))
	for i, v := range p.Skip {
		skip[i] = strconv.FormatInt(v, 10)
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE alert_deliveries SET done_up_to = ?, done_extra = ?, sent = sent + ?, failed = failed + ?, gone = gone + ?,
		done = ?, error = CASE WHEN ? = '' THEN error ELSE ? END, updated_at = ? WHERE id = ?`),
		p.DoneUpTo, strings.Join(skip, " "), p.Sent, p.Failed, p.Gone, p.Done, p.LastErr, p.LastErr, now(), id)
	if err != nil {
		return fmt.Errorf("record delivery %d: %w", id, err)
	}
	return nil
}

// CreateAPIToken stores a token's hash for a user.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name, hash string) (int64, error) {
	id, err := s.insert(ctx, s.db, "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)", userID, name, hash, now())
	if err != nil {
		return 0, fmt.Errorf("create API token: %w", mapConstraint(err))
	}
	return id, nil
}

// APITokenUser returns the user behind a token hash, if the token is not
// revoked, and notes its use.
func (s *Store) APITokenUser(ctx context.Context, hash string) (*auth.User, error) {
	if !lookable(hash) {
		return nil, fmt.Errorf("API token: %w", news.ErrNotFound)
	}
	// A disabled account's tokens are revoked when it is disabled; one
	// made meanwhile is refused here.
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q(`SELECT `+userCols+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL`), hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("API token: %w", news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("API token: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, s.q("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?"), now(), hash); err != nil {
		return nil, fmt.Errorf("API token: %w", err)
	}
	return u, nil
}

// ListAPITokens lists tokens (none of them readable again), newest first.
func (s *Store) ListAPITokens(ctx context.Context) ([]news.APIToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.user_id, u.name, t.name, t.created_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC`)
	return collect(rows, err, "list API tokens", func(r rowScanner) (news.APIToken, error) {
		var (
			t             news.APIToken
			used, revoked sql.NullTime
		)
		err := r.Scan(&t.ID, &t.UserID, &t.UserName, &t.Name, &t.CreatedAt, &used, &revoked)
		t.LastUsedAt, t.RevokedAt = used.Time, revoked.Time
		return t, err
	})
}

// RevokeAPIToken stops a token from working.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64, actor news.Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"), now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrNotFound
		}
		return s.writeAudit(ctx, tx, actor, "token.revoke", "token "+strconv.FormatInt(id, 10), "")
	})
	if err != nil {
		return fmt.Errorf("revoke API token %d: %w", id, err)
	}
	return nil
}

// SetPublishAlert asks for an alert on channels when the article is
// published; no channels withdraws the request.
func (s *Store) SetPublishAlert(ctx context.Context, articleID int64, channels []string, actor news.Actor) error {
	var err error
	if len(channels) == 0 {
		_, err = s.db.ExecContext(ctx, s.q("DELETE FROM publish_alerts WHERE article_id = ?"), articleID)
	} else {
		_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO publish_alerts (article_id, channels, created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (article_id) DO UPDATE SET channels = excluded.channels, created_by = excluded.created_by, created_by_name = excluded.created_by_name`),
			articleID, strings.Join(channels, " "), nullID(actor.UserID), actor.Name, now())
	}
	if err != nil {
		return fmt.Errorf("alert on publishing article %d: %w", articleID, mapConstraint(err))
	}
	return nil
}

// PublishAlertChannels are the channels an alert on publication was asked
// for; none when it was not.
func (s *Store) PublishAlertChannels(ctx context.Context, articleID int64) ([]string, error) {
	var channels string
	err := s.db.QueryRowContext(ctx, s.q("SELECT channels FROM publish_alerts WHERE article_id = ?"), articleID).Scan(&channels)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("alert on publishing article %d: %w", articleID, err)
	}
	return strings.Fields(channels), nil
}

// ArticleAlerted tells whether an alert was made for the article.
func (s *Store) ArticleAlerted(ctx context.Context, articleID int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM (SELECT 1 FROM alerts WHERE article_id = ? LIMIT 1) AS a"), articleID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("alerts of article %d: %w", articleID, err)
	}
	return n > 0, nil
}

// TakePublishAlert turns a published article's request into an alert,
// once however many take it at the same time: build makes the alert from
// the channels asked for; the request is removed in the same transaction
// as the alert is stored.
func (s *Store) TakePublishAlert(ctx context.Context, articleID int64, build func(channels []string, by news.Actor) *news.Alert) (*news.Alert, error) {
	var a *news.Alert
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		var (
			channels string
			by       news.Actor
			byID     sql.NullInt64
		)
		// The delete is the claim: the newsroom's request and the outbox's
		// consumer both take the request at publication, and on PostgreSQL
		// a read then a delete let both see it and make two alerts (the
		// crash run found 13 articles of 50 alerted twice so).
		err := tx.QueryRowContext(ctx, s.q("DELETE FROM publish_alerts WHERE article_id = ? RETURNING channels, created_by, created_by_name"), articleID).
			Scan(&channels, &byID, &by.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		by.UserID = byID.Int64
		a = build(strings.Fields(channels), by)
		return s.createAlert(ctx, tx, a)
	})
	if err != nil {
		return nil, fmt.Errorf("alert for published article %d: %w", articleID, err)
	}
	return a, nil
}
