package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"khabar/internal/news"
)

// totpKeyName is the server secret two-factor secrets are sealed with.
const totpKeyName = "totp_key"

// sealer is the cipher of two-factor secrets, made from the stored key
// the first time it is needed; every node reads the same key.
func (s *Service) sealer(ctx context.Context) (*sealer, error) {
	s.sealMu.Lock()
	defer s.sealMu.Unlock()
	if s.seal != nil {
		return s.seal, nil
	}
	key, err := s.accounts.Key(ctx, totpKeyName)
	if err != nil {
		return nil, err
	}
	if s.seal, err = newSealer(key); err != nil {
		return nil, err
	}
	return s.seal, nil
}

// open unseals a stored secret of userID.
func (s *Service) open(ctx context.Context, userID int64, sealed string) ([]byte, error) {
	c, err := s.sealer(ctx)
	if err != nil {
		return nil, err
	}
	return c.open(userID, sealed)
}

// BeginTOTP starts u's enrolment: a fresh secret, kept (sealed) until a
// code confirms it, and returned to show.
func (s *Service) BeginTOTP(ctx context.Context, u *User) ([]byte, error) {
	c, err := s.sealer(ctx)
	if err != nil {
		return nil, err
	}
	secret, err := NewTOTPSecret()
	if err != nil {
		return nil, err
	}
	sealed, err := c.seal(u.ID, secret)
	if err == nil {
		err = s.accounts.SetPendingTOTP(ctx, u.ID, sealed)
	}
	if err != nil {
		return nil, err
	}
	return secret, nil
}

// PendingTOTP is the secret u is enrolling, nil when none.
func (s *Service) PendingTOTP(ctx context.Context, u *User) ([]byte, error) {
	st, err := s.accounts.TwoFactor(ctx, u.ID)
	if err != nil || st.Pending == "" {
		return nil, err
	}
	return s.open(ctx, u.ID, st.Pending)
}

// ConfirmTOTP turns two-factor on for u with the first code of the
// pending secret, and returns the recovery codes to show once. A wrong
// code is ErrBadCode; codes are throttled as at sign-in.
func (s *Service) ConfirmTOTP(ctx context.Context, u *User, code string) ([]string, error) {
	key := "code:" + strconv.FormatInt(u.ID, 10)
	if !s.byUser.Take(key) {
		return nil, fmt.Errorf("confirm two-factor of %s: %w", u.Email, news.ErrTooMany)
	}
	st, err := s.accounts.TwoFactor(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if st.Pending == "" {
		return nil, ErrBadCode
	}
	secret, err := s.open(ctx, u.ID, st.Pending)
	if err != nil {
		return nil, err
	}
	step, ok := MatchTOTP(secret, NormalizeCode(code), time.Now(), 0)
	if !ok {
		return nil, ErrBadCode
	}
	s.byUser.Reset(key)
	codes, hashes, err := NewRecoveryCodes(u.ID)
	if err != nil {
		return nil, err
	}
	if err := s.accounts.EnableTOTP(ctx, u.ID, st.Pending, step, hashes, u.Actor()); err != nil {
		if errors.Is(err, news.ErrConflict) {
			return nil, ErrBadCode
		}
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns two-factor off for u, who must give their password
// (Reauthenticate's errors).
func (s *Service) DisableTOTP(ctx context.Context, u *User, password string) error {
	if err := s.Reauthenticate(ctx, u, password); err != nil {
		return err
	}
	return s.accounts.DisableTOTP(ctx, u.ID, u.Actor())
}
