package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// userCols are the columns scanUser reads, of users as u.
const userCols = "u.id, u.email, u.name, u.role, u.password_hash, u.created_at, u.disabled_at IS NOT NULL, u.totp_secret <> '', u.login_burst_at, u.login_notice"

func scanUser(r rowScanner) (*auth.User, error) {
	var (
		u     auth.User
		role  string
		burst sql.NullTime
	)
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.CreatedAt, &u.Disabled, &u.TwoFactor, &burst, &u.LoginNotice); err != nil {
		return nil, err
	}
	u.Role, u.LoginBurstAt = auth.Role(role), burst.Time
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
	return s.createUser(ctx, s.db, u)
}

func (s *Store) createUser(ctx context.Context, db querier, u *auth.User) error {
	email, err := NormalizeEmail(u.Email)
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.Email = email
	u.Name = news.CleanName(u.Name)
	if u.Name == "" {
		return fmt.Errorf("create user %s: name is required", u.Email)
	}
	if _, err := auth.ParseRole(string(u.Role)); err != nil {
		return fmt.Errorf("create user %s: %w", u.Email, err)
	}
	u.CreatedAt = now()
	id, err := s.insert(ctx, db, "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
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
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM users u WHERE email = ?"), strings.ToLower(strings.TrimSpace(email))))
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

// CreateSession stores a session by its token hash; a disabled (or
// missing) account gets none: auth.ErrDisabled.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	if err := s.insertSession(ctx, s.db, tokenHash, userID, expires, false); err != nil {
		return fmt.Errorf("create session for user %d: %w", userID, err)
	}
	return nil
}

// insertSession opens a session (pending: half-open, waiting for the
// second factor) for an account that is not disabled, or gives
// auth.ErrDisabled.
func (s *Store) insertSession(ctx context.Context, db querier, tokenHash string, userID int64, expires time.Time, pending bool) error {
	res, err := db.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at, pending)
		SELECT ?, id, ?, ?, ? FROM users WHERE id = ? AND disabled_at IS NULL`), tokenHash, now(), utc(expires), pending, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return auth.ErrDisabled
	}
	return nil
}

// SessionUser returns the user of a live session.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (*auth.User, error) {
	if !lookable(tokenHash) {
		return nil, fmt.Errorf("session: %w", news.ErrNotFound)
	}
	// A session opened while the account was being disabled ends here
	// too: the disabling transaction may not have seen it to delete it.
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userCols+` FROM sessions se JOIN users u ON u.id = se.user_id
		WHERE se.token_hash = ? AND se.expires_at > ? AND NOT se.pending AND u.disabled_at IS NULL`), tokenHash, now()))
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

// ListUsers returns every account, admins first.
func (s *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+userCols+" FROM users u ORDER BY role, name, id")
	return collect(rows, err, "list users", func(r rowScanner) (auth.User, error) {
		u, err := scanUser(r)
		if err != nil {
			return auth.User{}, err
		}
		return *u, nil
	})
}

// UserByID finds an account.
func (s *Store) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM users u WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// ErrLastAdmin refuses to leave the newsroom without an admin.
var ErrLastAdmin = errors.New("the last admin cannot lose the admin role")

// SetUserRole changes a user's role, never demoting the last enabled
// admin, and logs it. A role that may not hold API tokens revokes the
// user's: they were made with a right the user no longer has.
func (s *Store) SetUserRole(ctx context.Context, id int64, role auth.Role, actor news.Actor) error {
	if _, err := auth.ParseRole(string(role)); err != nil {
		return fmt.Errorf("set role of user %d: %w", id, &news.InvalidError{Fields: map[string]string{"role": "unknown"}})
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, disabled, err := s.userAccess(ctx, tx, id)
		if err != nil {
			return err
		}
		if old == role {
			return nil
		}
		if old == auth.RoleAdmin && !disabled {
			if err := s.keepAnAdmin(ctx, tx); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE users SET role = ? WHERE id = ?"), string(role), id); err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, actor, "user.role", "user "+strconv.FormatInt(id, 10), string(old)+" → "+string(role)); err != nil {
			return err
		}
		if role.Can(auth.PermTokens) {
			return nil
		}
		return s.revokeTokensOf(ctx, tx, id, actor)
	})
	if err != nil {
		return fmt.Errorf("set role of user %d: %w", id, err)
	}
	return nil
}

// userAccess reads a user's role and whether the account is disabled.
func (s *Store) userAccess(ctx context.Context, tx *sql.Tx, id int64) (auth.Role, bool, error) {
	var (
		role     string
		disabled bool
	)
	err := tx.QueryRowContext(ctx, s.q("SELECT role, disabled_at IS NOT NULL FROM users WHERE id = ?"), id).Scan(&role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, news.ErrNotFound
	}
	return auth.Role(role), disabled, err
}

// keepAnAdmin is ErrLastAdmin unless another enabled admin remains once
// one stops being one (demoted or disabled).
func (s *Store) keepAnAdmin(ctx context.Context, tx *sql.Tx) error {
	admins, err := s.lockAdmins(ctx, tx)
	if err == nil && admins <= 1 {
		err = ErrLastAdmin
	}
	return err
}

// lockAdmins counts the enabled admins, holding their rows until tx ends.
// On PostgreSQL two admins demoting each other at once would otherwise
// both count two and leave none; the second now waits for the first and
// counts again. SQLite takes its write lock at BEGIN, so it never
// interleaves.
func (s *Store) lockAdmins(ctx context.Context, tx *sql.Tx) (int, error) {
	query := "SELECT id FROM users WHERE role = ? AND disabled_at IS NULL"
	if s.dialect == Postgres {
		query += " FOR UPDATE"
	}
	rows, err := tx.QueryContext(ctx, s.q(query), string(auth.RoleAdmin))
	ids, err := collect(rows, err, "count admins", scanOne[int64])
	return len(ids), err
}

// SetUserDisabled disables an account, ending its sessions and revoking
// its API tokens, or enables it again (the tokens stay revoked: the
// account's holder makes new ones). The last enabled admin stays enabled.
// Doing what is already done changes nothing.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disable bool, actor news.Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		role, disabled, err := s.userAccess(ctx, tx, id)
		switch {
		case err != nil:
			return err
		case disabled == disable:
			return nil
		case !disable:
			if _, err := tx.ExecContext(ctx, s.q("UPDATE users SET disabled_at = NULL WHERE id = ?"), id); err != nil {
				return err
			}
			return s.writeAudit(ctx, tx, actor, "user.enable", "user "+strconv.FormatInt(id, 10), "")
		}
		if role == auth.RoleAdmin {
			if err := s.keepAnAdmin(ctx, tx); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE users SET disabled_at = ? WHERE id = ?"), now(), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM sessions WHERE user_id = ?"), id); err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, actor, "user.disable", "user "+strconv.FormatInt(id, 10), ""); err != nil {
			return err
		}
		return s.revokeTokensOf(ctx, tx, id, actor)
	})
	if err != nil {
		return fmt.Errorf("set user %d disabled %v: %w", id, disable, err)
	}
	return nil
}

// revokeTokensOf revokes the user's live API tokens and, if there were
// any, logs one entry naming them.
func (s *Store) revokeTokensOf(ctx context.Context, tx *sql.Tx, userID int64, actor news.Actor) error {
	rows, err := tx.QueryContext(ctx, s.q("SELECT name FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id"), userID)
	names, err := collect(rows, err, "live API tokens", scanOne[string])
	if err != nil || len(names) == 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"), now(), userID); err != nil {
		return fmt.Errorf("revoke API tokens: %w", err)
	}
	return s.writeAudit(ctx, tx, actor, "user.tokens_revoke", "user "+strconv.FormatInt(userID, 10), strings.Join(names, ", "))
}

// SetUserPassword replaces a user's password hash, ends every session of
// theirs but keep (the hash of the session making the change, or "") and
// revokes their API tokens: whoever had the old password may have made
// one, and every way of setting a password (an admin's reset, the
// holder's change, khabar user reset-password) comes through here.
func (s *Store) SetUserPassword(ctx context.Context, id int64, hash, keep string, actor news.Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE users SET password_hash = ? WHERE id = ?"), hash, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?"), id, keep); err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, actor, "user.password", "user "+strconv.FormatInt(id, 10), ""); err != nil {
			return err
		}
		return s.revokeTokensOf(ctx, tx, id, actor)
	})
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", id, err)
	}
	return nil
}

// sessionIDLen is how much of a token hash names a session.
const sessionIDLen = 16

var sessionID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// UserSessions lists a user's live sessions, marking current (a token
// hash) as the one in use.
func (s *Store) UserSessions(ctx context.Context, userID int64, current string) ([]auth.Session, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT token_hash, created_at, expires_at FROM sessions WHERE user_id = ? AND expires_at > ? AND NOT pending ORDER BY created_at DESC"), userID, now())
	return collect(rows, err, fmt.Sprintf("list sessions of user %d", userID), func(r rowScanner) (auth.Session, error) {
		var (
			hash string
			se   auth.Session
		)
		err := r.Scan(&hash, &se.CreatedAt, &se.ExpiresAt)
		se.ID, se.Current = hash[:min(len(hash), sessionIDLen)], hash == current
		return se, err
	})
}

// EndUserSession signs a user out of one session, named by its ID.
func (s *Store) EndUserSession(ctx context.Context, userID int64, id string, actor news.Actor) error {
	if !sessionID.MatchString(id) {
		return fmt.Errorf("end session: %w", news.ErrNotFound)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM sessions WHERE user_id = ? AND substr(token_hash, 1, 16) = ?"), userID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrNotFound
		}
		return s.writeAudit(ctx, tx, actor, "session.end", "user "+strconv.FormatInt(userID, 10), "")
	})
	if err != nil {
		return fmt.Errorf("end session of user %d: %w", userID, err)
	}
	return nil
}
