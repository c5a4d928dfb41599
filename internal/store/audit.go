package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"

	"khabar/internal/news"
)

type actorKey struct{}

// WithActor marks ctx as acting for a newsroom user: changes made with it
// are logged under their name (publishing, for one).
func WithActor(ctx context.Context, a news.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// actorFrom is the user ctx acts for; the zero Actor is the system
// itself (an import, a scheduled job).
func actorFrom(ctx context.Context) news.Actor {
	a, _ := ctx.Value(actorKey{}).(news.Actor)
	return a
}

// auditedEvents are the changes of published state the audit log keeps.
var auditedEvents = map[news.EventKind]string{
	news.EventArticlePublished:   "article.publish",
	news.EventArticleUnpublished: "article.unpublish",
}

// writeAudit logs an action inside the transaction that does it, so the
// log never claims what did not happen nor misses what did.
func (s *Store) writeAudit(ctx context.Context, tx *sql.Tx, actor news.Actor, action, target, detail string) error {
	_, err := tx.ExecContext(ctx, s.q("INSERT INTO audit_log (at, user_id, user_name, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)"),
		now(), nullID(actor.UserID), actor.Name, action, target, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Audit logs an action that has no transaction of its own (a login).
func (s *Store) Audit(ctx context.Context, actor news.Actor, action, target, detail string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.writeAudit(ctx, tx, actor, action, target, detail) })
}

// AuditLog returns log entries, newest first.
func (s *Store) AuditLog(ctx context.Context, limit, offset int) ([]news.AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT id, at, COALESCE(user_id, 0), user_name, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?"), limit, offset)
	return collect(rows, err, "read audit log", func(r rowScanner) (news.AuditEntry, error) {
		var e news.AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.UserID, &e.Name, &e.Action, &e.Target, &e.Detail)
		return e, err
	})
}

// Key is the named random 32-byte key (HMAC, sealing), made on first use
// and kept hex-encoded in the secrets table for every node.
func (s *Store) Key(ctx context.Context, name string) ([]byte, error) {
	stored, err := s.Secret(ctx, name, func() (string, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return hex.EncodeToString(b), err
	})
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(stored)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("stored key %s is not a hex key of 16 bytes or more", name)
	}
	return key, nil
}

// Secret returns the named server secret, creating it with gen the first
// time. Nodes that start together agree: the first insert wins and every
// node reads the stored value.
func (s *Store) Secret(ctx context.Context, name string, gen func() (string, error)) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q("SELECT value FROM secrets WHERE name = ?"), name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if err != sql.ErrNoRows {
		return "", fmt.Errorf("read secret %s: %w", name, err)
	}
	fresh, err := gen()
	if err != nil {
		return "", fmt.Errorf("create secret %s: %w", name, err)
	}
	if _, err := s.db.ExecContext(ctx, s.q("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"), name, fresh); err != nil {
		return "", fmt.Errorf("create secret %s: %w", name, err)
	}
	if err := s.db.QueryRowContext(ctx, s.q("SELECT value FROM secrets WHERE name = ?"), name).Scan(&v); err != nil {
		return "", fmt.Errorf("read secret %s: %w", name, err)
	}
	return v, nil
}
