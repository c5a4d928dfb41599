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
const userCols = "u.id, u.email, u.name, u.role, u.password_hash, u.created_at, u.totp_secret <> '', u.login_burst_at, u.login_notice"

func scanUser(r rowScanner) (*auth.User, error) {
	var (
		u     auth.User
		role  string
		burst sql.NullTime
	)
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.CreatedAt, &u.TwoFactor, &burst, &u.LoginNotice); err != nil {
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
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM sessions se JOIN users u ON u.id = se.user_id WHERE se.token_hash = ? AND se.expires_at > ? AND NOT se.pending"),
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

// SetUserRole changes a user's role, never demoting the last admin, and
// logs it.
func (s *Store) SetUserRole(ctx context.Context, id int64, role auth.Role, actor news.Actor) error {
	if _, err := auth.ParseRole(string(role)); err != nil {
		return fmt.Errorf("set role of user %d: %w", id, &news.InvalidError{Fields: map[string]string{"role": "unknown"}})
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var old string
		if err := tx.QueryRowContext(ctx, s.q("SELECT role FROM users WHERE id = ?"), id).Scan(&old); errors.Is(err, sql.ErrNoRows) {
			return news.ErrNotFound
		} else if err != nil {
			return err
		}
		if old == string(role) {
			return nil
		}
		if old == string(auth.RoleAdmin) {
			admins, err := s.lockAdmins(ctx, tx)
			if err != nil {
				return err
			}
			if admins <= 1 {
				return ErrLastAdmin
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE users SET role = ? WHERE id = ?"), string(role), id); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actor, "user.role", "user "+strconv.FormatInt(id, 10), old+" → "+string(role))
	})
	if err != nil {
		return fmt.Errorf("set role of user %d: %w", id, err)
	}
	return nil
}

// lockAdmins counts the admins, holding their rows until tx ends. On
// PostgreSQL two admins demoting each other at once would otherwise both
// count two and leave none; the second now waits for the first and counts
// again. SQLite takes its write lock at BEGIN, so it never interleaves.
func (s *Store) lockAdmins(ctx context.Context, tx *sql.Tx) (int, error) {
	query := "SELECT id FROM users WHERE role = ?"
	if s.dialect == Postgres {
		query += " FOR UPDATE"
	}
	rows, err := tx.QueryContext(ctx, s.q(query), string(auth.RoleAdmin))
	ids, err := collect(rows, err, "count admins", scanOne[int64])
	return len(ids), err
}

// SetUserPassword replaces a user's password hash and ends every session
// of theirs but keep (the hash of the session making the change, or "").
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
		return s.writeAudit(ctx, tx, actor, "user.password", "user "+strconv.FormatInt(id, 10), "")
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
