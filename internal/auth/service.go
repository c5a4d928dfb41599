package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"khabar/internal/news"
	"khabar/internal/throttle"
)

// Accounts is what the service keeps in the database. It is declared here,
// not taken as *store.Store, because store returns auth's types (User,
// Session) and so cannot be imported by auth.
type Accounts interface {
	UserByEmail(ctx context.Context, email string) (*User, error)
	CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error
	SessionUser(ctx context.Context, tokenHash string) (*User, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteExpiredSessions(ctx context.Context) (int64, error)
	APITokenUser(ctx context.Context, tokenHash string) (*User, error)
	Audit(ctx context.Context, actor news.Actor, action, target, detail string) error
}

// ErrBadLogin refuses a login: an unknown account or a wrong password,
// never saying which.
var ErrBadLogin = fmt.Errorf("wrong e-mail or password: %w", news.ErrUnauthenticated)

// maxToken bounds a presented session or API token; ours are 43
// characters, and anything much longer is not worth hashing.
const maxToken = 100

// Service signs people in and out: the newsroom's form login with its
// session cookie, and the API's bearer tokens, with the same checks.
type Service struct {
	accounts Accounts
	log      *slog.Logger
	// Failed logins are limited per account and, more loosely (a
	// newsroom shares one office address), per address.
	byAccount, byIP *throttle.Limiter
	// hashing bounds concurrent argon2id runs (64 MiB each), so a burst
	// of logins cannot exhaust memory.
	hashing chan struct{}
}

// NewService is the sign-in service over accounts.
func NewService(accounts Accounts, log *slog.Logger) *Service {
	return &Service{accounts: accounts, log: log, byAccount: throttle.NewLimiter(5, 3*time.Minute),
		byIP: throttle.NewLimiter(20, 45*time.Second), hashing: make(chan struct{}, 2)}
}

// Login checks an e-mail and password from address ip and opens a
// session: the token for the browser's cookie, and who it is. A throttled
// attempt is refused before the password is looked at (news.ErrTooMany);
// a wrong one is ErrBadLogin, after as long as a right one would take.
func (s *Service) Login(ctx context.Context, email, password, ip string) (string, *User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !s.byIP.Take(ip) || !s.byAccount.Take(email) {
		return "", nil, fmt.Errorf("login %s: %w", email, news.ErrTooMany)
	}
	release, err := s.hashSlot(ctx)
	if err != nil {
		return "", nil, err
	}
	defer release()
	u, err := s.accounts.UserByEmail(ctx, email)
	if err == nil {
		err = VerifyPassword(u.PasswordHash, password)
	} else if errors.Is(err, news.ErrNotFound) {
		// Hash anyway so a missing account takes as long as a wrong password.
		VerifyPassword(dummyHash(), password)
	}
	if err != nil {
		if !errors.Is(err, ErrBadPassword) && !errors.Is(err, news.ErrNotFound) {
			return "", nil, fmt.Errorf("login %s: %w", email, err)
		}
		s.log.Info("login failed", "email", email, "ip", ip)
		return "", nil, ErrBadLogin
	}
	token, err := s.OpenSession(ctx, u)
	if err != nil {
		return "", nil, err
	}
	s.byAccount.Reset(email)
	if err := s.accounts.Audit(ctx, u.Actor(), "login", "", ""); err != nil {
		s.log.Error("audit login", "err", err)
	}
	s.log.Info("login", "user", u.ID, "email", u.Email, "ip", ip)
	return token, u, nil
}

// dummyHash is made on the first login for an unknown account, not at
// start: an argon2id hash costs 64 MiB and tens of milliseconds, which
// every command (even "khabar version") paid as a package initialiser.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("khabar-timing-equaliser")
	return h
})

// Session is the user of a session token, or news.ErrNotFound when it is
// unknown or expired.
func (s *Service) Session(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > maxToken {
		return nil, fmt.Errorf("session: %w", news.ErrNotFound)
	}
	return s.accounts.SessionUser(ctx, HashToken(token))
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > maxToken {
		return nil
	}
	return s.accounts.DeleteSession(ctx, HashToken(token))
}

// Bearer is the user of an API token, or news.ErrUnauthenticated.
func (s *Service) Bearer(ctx context.Context, token string) (*User, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxToken {
		return nil, fmt.Errorf("API token: %w", news.ErrUnauthenticated)
	}
	u, err := s.accounts.APITokenUser(ctx, HashToken(token))
	if errors.Is(err, news.ErrNotFound) {
		return nil, fmt.Errorf("API token: %w", news.ErrUnauthenticated)
	}
	return u, err
}

// DeleteExpired removes sessions past their time; the job queue runs it
// now and then, on one node.
func (s *Service) DeleteExpired(ctx context.Context) (int64, error) {
	return s.accounts.DeleteExpiredSessions(ctx)
}

// Reauthenticate checks the signed-in user's password again, as before
// they change it: throttled like a login (news.ErrTooMany), ErrBadPassword
// when wrong.
func (s *Service) Reauthenticate(ctx context.Context, u *User, password string) error {
	if !s.byAccount.Take(u.Email) {
		return fmt.Errorf("reauthenticate %s: %w", u.Email, news.ErrTooMany)
	}
	release, err := s.hashSlot(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := VerifyPassword(u.PasswordHash, password); err != nil {
		return err
	}
	s.byAccount.Reset(u.Email)
	return nil
}

// OpenSession signs u in without a password, for an account whose
// password was just set (the first admin, at set-up); it returns the
// session token for the cookie.
func (s *Service) OpenSession(ctx context.Context, u *User) (string, error) {
	token, hash, err := NewToken()
	if err == nil {
		err = s.accounts.CreateSession(ctx, hash, u.ID, time.Now().Add(SessionTTL))
	}
	if err != nil {
		return "", fmt.Errorf("open a session for %s: %w", u.Email, err)
	}
	return token, nil
}

// HashPassword hashes a new password within the bound on concurrent
// hashes.
func (s *Service) HashPassword(ctx context.Context, password string) (string, error) {
	release, err := s.hashSlot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password)
}

// hashSlot waits for a turn to run argon2id; release gives it back.
func (s *Service) hashSlot(ctx context.Context) (release func(), err error) {
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
