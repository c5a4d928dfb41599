package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// TwoFactor is an account's two-factor state as stored: the sealed
// secrets (auth seals and opens them) and the last step that signed in.
func (s *Store) TwoFactor(ctx context.Context, userID int64) (auth.TwoFactorState, error) {
	var st auth.TwoFactorState
	err := s.db.QueryRowContext(ctx, s.q("SELECT totp_secret, totp_pending, totp_step FROM users WHERE id = ?"), userID).
		Scan(&st.Secret, &st.Pending, &st.Step)
	if errors.Is(err, sql.ErrNoRows) {
		err = news.ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("two-factor state of user %d: %w", userID, err)
	}
	return st, nil
}

// SetPendingTOTP keeps the sealed secret an account is enrolling, until a
// code from it confirms it.
func (s *Store) SetPendingTOTP(ctx context.Context, userID int64, sealed string) error {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE users SET totp_pending = ? WHERE id = ?"), sealed, userID)
	if err == nil {
		err = affectedOne(res)
	}
	if err != nil {
		return fmt.Errorf("begin two-factor enrolment of user %d: %w", userID, err)
	}
	return nil
}

// EnableTOTP turns on the pending secret (which must still be sealed, the
// one the code was checked against), notes step as used, and replaces the
// recovery codes with hashes; news.ErrConflict when another enrolment
// replaced the pending secret meanwhile.
func (s *Store) EnableTOTP(ctx context.Context, userID int64, sealed string, step int64, hashes []string, actor news.Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_step = ? WHERE id = ? AND totp_pending = ? AND totp_pending <> ''"),
			step, userID, sealed)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrConflict
		}
		if err := s.replaceRecoveryCodes(ctx, tx, userID, hashes); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actor, "user.two_factor_on", "user "+strconv.FormatInt(userID, 10), "")
	})
	if err != nil {
		return fmt.Errorf("turn on two-factor for user %d: %w", userID, err)
	}
	return nil
}

func (s *Store) replaceRecoveryCodes(ctx context.Context, tx *sql.Tx, userID int64, hashes []string) error {
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM recovery_codes WHERE user_id = ?"), userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)"), userID, h); err != nil {
			return err
		}
	}
	return nil
}

// DisableTOTP turns two-factor off for an account: secrets and recovery
// codes go.
func (s *Store) DisableTOTP(ctx context.Context, userID int64, actor news.Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE users SET totp_secret = '', totp_pending = '', totp_step = 0 WHERE id = ?"), userID)
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return err
		}
		if err := s.replaceRecoveryCodes(ctx, tx, userID, nil); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actor, "user.two_factor_off", "user "+strconv.FormatInt(userID, 10), "")
	})
	if err != nil {
		return fmt.Errorf("turn off two-factor for user %d: %w", userID, err)
	}
	return nil
}

// SpendTOTPStep records that step signed the account in; false when it
// (or a later one) already did, so a code cannot be played twice, even on
// two nodes at once.
func (s *Store) SpendTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q("UPDATE users SET totp_step = ? WHERE id = ? AND totp_step < ? AND totp_secret <> ''"), step, userID, step)
	if err != nil {
		return false, fmt.Errorf("spend two-factor step of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SpendRecoveryCode uses up the recovery code with hash, signing actor in;
// false when the account has no such code (any more).
func (s *Store) SpendRecoveryCode(ctx context.Context, userID int64, hash string, actor news.Actor) (bool, error) {
	spent := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?"), userID, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		spent = true
		var left int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?"), userID).Scan(&left); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, actor, "user.recovery_code", "user "+strconv.FormatInt(userID, 10), "recovery_left:"+strconv.Itoa(left))
	})
	if err != nil {
		return false, fmt.Errorf("spend a recovery code of user %d: %w", userID, err)
	}
	return spent, nil
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?"), userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count recovery codes of user %d: %w", userID, err)
	}
	return n, nil
}

// CreatePendingSession stores a half-open session: the password was
// right, the second factor is to come (PromoteSession).
func (s *Store) CreatePendingSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	if err := s.insertSession(ctx, s.db, tokenHash, userID, expires, true); err != nil {
		return fmt.Errorf("create a half-open session for user %d: %w", userID, err)
	}
	return nil
}

// PendingSessionUser is the user of a live half-open session.
func (s *Store) PendingSessionUser(ctx context.Context, tokenHash string) (*auth.User, error) {
	if !lookable(tokenHash) {
		return nil, fmt.Errorf("half-open session: %w", news.ErrNotFound)
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM sessions se JOIN users u ON u.id = se.user_id WHERE se.token_hash = ? AND se.expires_at > ? AND se.pending AND u.disabled_at IS NULL"),
		tokenHash, now()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("half-open session: %w", news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("half-open session: %w", err)
	}
	return u, nil
}

// PromoteSession replaces the half-open session pending with a full one
// under a new token (newHash): the token that crossed the password step
// never signs anyone in. news.ErrNotFound when pending is gone: used,
// expired or never there.
func (s *Store) PromoteSession(ctx context.Context, pending, newHash string, userID int64, expires time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM sessions WHERE token_hash = ? AND user_id = ? AND pending AND expires_at > ?"), pending, userID, now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrNotFound
		}
		return s.insertSession(ctx, tx, newHash, userID, expires, false)
	})
	if err != nil {
		return fmt.Errorf("complete the sign-in of user %d: %w", userID, err)
	}
	return nil
}

// NoteLoginBurst records that an account saw failures failed logins from
// addresses addresses within window: once per window whichever node
// noticed, with an audit entry and a notice for the account's holder.
// False when the burst was noted already.
func (s *Store) NoteLoginBurst(ctx context.Context, userID int64, failures, addresses int, window time.Duration) (bool, error) {
	noted := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		res, err := tx.ExecContext(ctx, s.q("UPDATE users SET login_burst_at = ?, login_notice = TRUE WHERE id = ? AND (login_burst_at IS NULL OR login_burst_at < ?)"),
			at, userID, at.Add(-window))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		noted = true
		return s.writeAudit(ctx, tx, news.Actor{}, "login.burst", "user "+strconv.FormatInt(userID, 10),
			"login_burst:"+strconv.Itoa(failures)+":"+strconv.Itoa(addresses))
	})
	if err != nil {
		return false, fmt.Errorf("note a burst of failed logins of user %d: %w", userID, err)
	}
	return noted, nil
}

// DismissLoginNotice takes the notice of a burst of failed logins off an
// account's pages, once its holder has read it.
func (s *Store) DismissLoginNotice(ctx context.Context, userID int64) error {
	if _, err := s.db.ExecContext(ctx, s.q("UPDATE users SET login_notice = FALSE WHERE id = ?"), userID); err != nil {
		return fmt.Errorf("dismiss the login notice of user %d: %w", userID, err)
	}
	return nil
}

// affectedOne is news.ErrNotFound when res changed no row.
func affectedOne(res sql.Result) error {
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return news.ErrNotFound
	}
	return nil
}
