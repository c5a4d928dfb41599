package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// setupSecret names the one-time token of the set-up page in secrets.
const setupSecret = "setup_token"

// SetupToken returns the token that opens the set-up page, made the first
// time it is asked for, while the newsroom has no admin; open is false once it
// has one (the set-up page is then gone for good). Every node and every
// restart gets the same token until set-up completes. Only the server's
// start asks for it; pages read it with SetupState.
func (s *Store) SetupToken(ctx context.Context) (token string, open bool, err error) {
	if _, open, err = s.SetupState(ctx); err != nil || !open {
		return "", false, err
	}
	token, err = s.Secret(ctx, setupSecret, func() (string, error) {
		t, _, err := auth.NewToken()
		return t, err
	})
	return token, err == nil, err
}

// SetupState is SetupToken without making anything: open while the
// newsroom has no admin, with the token if one was made ("" if not).
func (s *Store) SetupState(ctx context.Context) (token string, open bool, err error) {
	var admins int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM users WHERE role = ?"), string(auth.RoleAdmin)).Scan(&admins); err != nil {
		return "", false, fmt.Errorf("count admins: %w", err)
	}
	if admins > 0 {
		return "", false, nil
	}
	err = s.db.QueryRowContext(ctx, s.q("SELECT value FROM secrets WHERE name = ?"), setupSecret).Scan(&token)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("read the set-up token: %w", err)
	}
	return token, true, nil
}

// CompleteSetup makes u the first admin and saves the outlet's settings
// kv, in one transaction, if token is the set-up token and no admin
// exists yet: news.ErrGone once one does, news.ErrForbidden for any other
// token. The token is spent, so two submissions cannot both succeed.
func (s *Store) CompleteSetup(ctx context.Context, token string, kv map[string]string, u *auth.User) error {
	u.Role = auth.RoleAdmin
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		admins, err := s.lockAdmins(ctx, tx)
		if err != nil {
			return err
		}
		if admins > 0 {
			return news.ErrGone
		}
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM secrets WHERE name = ? AND value = ?"), setupSecret, token)
		if err != nil {
			return fmt.Errorf("spend the set-up token: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return news.ErrForbidden
		}
		if err := s.createUser(ctx, tx, u); err != nil {
			return err
		}
		if err := s.saveSettings(ctx, tx, kv); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, u.Actor(), "setup.complete", "user "+strconv.FormatInt(u.ID, 10), "")
	})
	if err != nil {
		return fmt.Errorf("complete set-up: %w", err)
	}
	return nil
}
