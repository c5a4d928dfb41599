package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"khabar/internal/news"
)

// writeEvent adds an outbox row inside the caller's transaction.
func (s *Store) writeEvent(ctx context.Context, tx *sql.Tx, ev news.Event) error {
	if s.dialect == Postgres {
		// Ids come from a sequence and are handed out before commit, so two
		// concurrent transactions could commit ids out of order and a reader
		// that already moved past the larger id would skip the smaller one.
		// This lock, held to commit, makes ids commit in order.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(74865002)"); err != nil {
			return fmt.Errorf("write event %s: lock: %w", ev.Kind, err)
		}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("write event %s: %w", ev.Kind, err)
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO events (kind, article_id, payload, created_at) VALUES (?, ?, ?, ?)"),
		string(ev.Kind), nullID(ev.ArticleID), string(payload), now())
	if err != nil {
		return fmt.Errorf("write event %s: %w", ev.Kind, err)
	}
	if action, ok := auditedEvents[ev.Kind]; ok {
		if err := s.writeAudit(ctx, tx, actorFrom(ctx), action, "article "+strconv.FormatInt(ev.ArticleID, 10), ""); err != nil {
			return err
		}
	}
	if s.dialect == Postgres {
		// Delivered at commit to every node listening: they read the new
		// events at once instead of at their next poll.
		if _, err := tx.ExecContext(ctx, "SELECT pg_notify('"+eventsChannel+"', '')"); err != nil {
			return fmt.Errorf("write event %s: notify: %w", ev.Kind, err)
		}
	}
	return nil
}

// eventsChannel is the PostgreSQL notification channel of new events.
const eventsChannel = "khabar_events"

// ListenEvents calls wake whenever another transaction (on any node)
// commits events, until ctx ends; it reconnects after errors. On SQLite,
// where every writer is this process, it returns at once.
func (s *Store) ListenEvents(ctx context.Context, wake func(), log func(error)) {
	if s.dialect != Postgres {
		return
	}
	backoff := time.Second
	for ctx.Err() == nil {
		err := s.listen(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		log(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Minute)
	}
}

func (s *Store) listen(ctx context.Context, wake func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.pgcfg)
	if err != nil {
		return fmt.Errorf("listen for events: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+eventsChannel); err != nil {
		return fmt.Errorf("listen for events: %w", err)
	}
	wake() // events committed while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("listen for events: %w", err)
		}
		wake()
	}
}

// inEventTx is inTx for changes that write events: it wakes the
// dispatcher after the commit.
func (s *Store) inEventTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.inTx(ctx, fn); err != nil {
		return err
	}
	s.eventsWritten()
	return nil
}

// EventsAfter returns up to limit events with id > after, oldest first.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]news.Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT id, kind, article_id, payload, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?"), after, limit)
	return collect(rows, err, fmt.Sprintf("events after %d", after), func(r rowScanner) (news.Event, error) {
		var (
			ev      news.Event
			kind    string
			article sql.NullInt64
			payload string
		)
		if err := r.Scan(&ev.ID, &kind, &article, &payload, &ev.At); err != nil {
			return ev, err
		}
		if err := json.Unmarshal([]byte(payload), &ev); err != nil {
			return ev, fmt.Errorf("event %d: bad payload: %w", ev.ID, err)
		}
		ev.Kind = news.EventKind(kind)
		ev.ArticleID = article.Int64
		return ev, nil
	})
}

// EventWrittenAfter is when the oldest event after id was written; ok is
// false when there is none: how long a consumer at id has kept an event
// waiting.
func (s *Store) EventWrittenAfter(ctx context.Context, id int64) (at time.Time, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, s.q("SELECT created_at FROM events WHERE id > ? ORDER BY id LIMIT 1"), id).Scan(&at)
	if err == sql.ErrNoRows {
		return at, false, nil
	}
	if err != nil {
		return at, false, fmt.Errorf("event after %d: %w", id, err)
	}
	return at, true, nil
}

// LastEventID is the newest event id, 0 when there is none.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT MAX(id) FROM events").Scan(&id); err != nil {
		return 0, fmt.Errorf("last event id: %w", err)
	}
	return id.Int64, nil
}

// Cursor returns the last event id a durable consumer processed; ok is
// false for a consumer never seen.
func (s *Store) Cursor(ctx context.Context, consumer string) (id int64, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, s.q("SELECT last_id FROM event_cursors WHERE consumer = ?"), consumer).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("cursor %s: %w", consumer, err)
	}
	return id, true, nil
}

// SaveCursor records that a consumer processed every event up to id.
func (s *Store) SaveCursor(ctx context.Context, consumer string, id int64) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO event_cursors (consumer, last_id) VALUES (?, ?)
		ON CONFLICT (consumer) DO UPDATE SET last_id = excluded.last_id`), consumer, id)
	if err != nil {
		return fmt.Errorf("save cursor %s: %w", consumer, err)
	}
	return nil
}

// ClaimEvents moves the shared position name from where it is up to id,
// and returns where it was: the events after from, up to id, are this
// caller's. ok is false when the position is already at id or beyond,
// because another node claimed those events first. Nodes that each see
// every event use it to share out work that must be done once (CDN
// purges). A position claimed for the first time starts from 0.
func (s *Store) ClaimEvents(ctx context.Context, name string, id int64) (from int64, ok bool, err error) {
	for {
		cur, exists, err := s.Cursor(ctx, name)
		if err != nil {
			return 0, false, err
		}
		if exists && cur >= id {
			return cur, false, nil
		}
		var res sql.Result
		if exists {
			// Only from where it was read: a node that moved it meanwhile
			// took those events, and the loop reads again.
			res, err = s.db.ExecContext(ctx, s.q("UPDATE event_cursors SET last_id = ? WHERE consumer = ? AND last_id = ?"), id, name, cur)
		} else {
			res, err = s.db.ExecContext(ctx, s.q("INSERT INTO event_cursors (consumer, last_id) VALUES (?, ?) ON CONFLICT (consumer) DO NOTHING"), name, id)
		}
		if err != nil {
			return 0, false, fmt.Errorf("claim events up to %d for %s: %w", id, name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, false, fmt.Errorf("claim events up to %d for %s: %w", id, name, err)
		}
		if n == 1 {
			return cur, true, nil
		}
		if err := ctx.Err(); err != nil {
			return 0, false, err
		}
	}
}
