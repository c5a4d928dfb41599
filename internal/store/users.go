package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
)

const userCols = "id, email, name, role, password_hash, created_at"

func scanUser(r rowScanner) (*auth.User, error) {
	var (
		u    auth.User
		role string
	)
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Role = auth.Role(role)
	return &u, nil
}

// NormalizeEmail lower-cases and checks an address.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return "", fmt.Errorf("invalid email address %q", email)
	}
	return email, nil
}

// CreateUser adds an account with an already hashed password.
func (s *Store) CreateUser(ctx context.Context, u *auth.User) error {
	email, err := NormalizeEmail(u.Email)
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.Email = email
	u.Name = news.CleanLine(u.Name)
	if u.Name == "" {
		return fmt.Errorf("create user %s: name is required", u.Email)
	}
	if _, err := auth.ParseRole(string(u.Role)); err != nil {
		return fmt.Errorf("create user %s: %w", u.Email, err)
	}
	u.CreatedAt = now()
	id, err := s.insert(ctx, s.db, "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
		u.Email, u.Name, string(u.Role), u.PasswordHash, u.CreatedAt)
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Email, mapConstraint(err))
	}
	u.ID = id
	return nil
}

// UserByEmail finds an account by address.
func (s *Store) UserByEmail(ctx context.Context, email string) (*auth.User, error) {
	if !lookable(email) {
		return nil, fmt.Errorf("user %q: %w", email, news.ErrNotFound)
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM users WHERE email = ?"), strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %s: %w", email, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", email, err)
	}
	return u, nil
}

// CountUsers counts accounts, to tell a fresh install.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateSession stores a session by its token hash.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"),
		tokenHash, userID, now(), utc(expires))
	if err != nil {
		return fmt.Errorf("create session for user %d: %w", userID, err)
	}
	return nil
}

// SessionUser returns the user of a live session.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (*auth.User, error) {
	if !lookable(tokenHash) {
		return nil, fmt.Errorf("session: %w", news.ErrNotFound)
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT u.id, u.email, u.name, u.role, u.password_hash, u.created_at FROM sessions se JOIN users u ON u.id = se.user_id WHERE se.token_hash = ? AND se.expires_at > ?"),
		tokenHash, now()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session: %w", news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return u, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM sessions WHERE token_hash = ?"), tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q("DELETE FROM sessions WHERE expires_at <= ?"), now())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
