package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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
	// Key is a stored random key, made on first use (the two-factor
	// sealing key).
	Key(ctx context.Context, name string) ([]byte, error)

	// Two-factor sign-in.
	TwoFactor(ctx context.Context, userID int64) (TwoFactorState, error)
	SetPendingTOTP(ctx context.Context, userID int64, sealed string) error
	EnableTOTP(ctx context.Context, userID int64, sealed string, step int64, hashes []string, actor news.Actor) error
	DisableTOTP(ctx context.Context, userID int64, actor news.Actor) error
	SpendTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	SpendRecoveryCode(ctx context.Context, userID int64, hash string, actor news.Actor) (bool, error)
	CreatePendingSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error
	PendingSessionUser(ctx context.Context, tokenHash string) (*User, error)
	PromoteSession(ctx context.Context, pending, newHash string, userID int64, expires time.Time) error
	NoteLoginBurst(ctx context.Context, userID int64, failures, addresses int, window time.Duration) (bool, error)
}

// ErrBadLogin refuses a login: an unknown account or a wrong password,
// never saying which.
var ErrBadLogin = fmt.Errorf("wrong e-mail or password: %w", news.ErrUnauthenticated)

// ErrBadCode refuses a two-factor code: wrong, used already, or not a
// code at all.
var ErrBadCode = fmt.Errorf("wrong two-factor code: %w", news.ErrUnauthenticated)

// ErrSignInExpired means the half-open session a code should complete is
// gone (used, expired, or never there): sign in again.
var ErrSignInExpired = fmt.Errorf("the sign-in expired: %w", news.ErrUnauthenticated)

// maxToken bounds a presented session or API token; ours are 43
// characters, and anything much longer is not worth hashing.
const maxToken = 100

// SecondFactorTTL is how long the session stays half-open between a right
// password and its code.
const SecondFactorTTL = 5 * time.Minute

// Service signs people in and out: the newsroom's form login with its
// session cookie, and the API's bearer tokens, with the same checks.
type Service struct {
	accounts Accounts
	log      *slog.Logger
	// Failed logins are limited per (account, address) and, more loosely
	// (a newsroom shares one office address), per address; never per
	// account alone, which would let anyone lock an editor out. IPv6
	// addresses count by /64 (throttle.Address).
	byPair, byAddr *throttle.Limiter
	// byUser limits what a known account types again: its password
	// before a change ("password:ID"), and codes ("code:ID"), which a
	// right password must precede, so an account-wide budget locks out
	// only someone who has the password already.
	byUser *throttle.Limiter
	bursts *burstWatch
	// hashing bounds concurrent argon2id runs (64 MiB each), so a burst
	// of logins cannot exhaust memory.
	hashing chan struct{}

	sealMu sync.Mutex
	seal   *sealer // made from the stored key on first use
}

// NewService is the sign-in service over accounts.
func NewService(accounts Accounts, log *slog.Logger) *Service {
	return &Service{accounts: accounts, log: log, byPair: throttle.NewLimiter(5, 3*time.Minute),
		byAddr: throttle.NewLimiter(20, 45*time.Second), byUser: throttle.NewLimiter(5, 3*time.Minute),
		bursts: newBurstWatch(), hashing: make(chan struct{}, 2)}
}

// ShareLimits keeps the login budgets in shared, so that on several
// nodes an attacker gets the budget once, not once per node.
func (s *Service) ShareLimits(shared throttle.Shared) {
	s.byPair.Share(shared, "login_pair", s.log)
	s.byAddr.Share(shared, "login_address", s.log)
	s.byUser.Share(shared, "login_account", s.log)
}

// SignIn is what a right password opens: a session (Token is the
// cookie's) or, when the account has two-factor on, a half-open one
// (NeedsCode) that SecondFactor completes.
type SignIn struct {
	Token     string
	User      *User
	NeedsCode bool
}

// Login checks an e-mail and password from address ip. A throttled
// attempt is refused before the password is looked at (news.ErrTooMany):
// the budgets are the address's and the (account, address) pair's, so a
// right password from an address that has not failed goes through while
// others hammer the account. A wrong one is ErrBadLogin, after as long as
// a right one would take.
func (s *Service) Login(ctx context.Context, email, password, ip string) (SignIn, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	addr := throttle.Address(ip)
	pair := email + " " + addr
	if !s.byAddr.Take(addr) || !s.byPair.Take(pair) {
		return SignIn{}, fmt.Errorf("login %s: %w", email, news.ErrTooMany)
	}
	release, err := s.hashSlot(ctx)
	if err != nil {
		return SignIn{}, err
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
			return SignIn{}, fmt.Errorf("login %s: %w", email, err)
		}
		// The address typed is logged only when it names an account: an
		// unknown one is as often a password typed in the wrong field.
		if u != nil {
			s.log.InfoContext(ctx, "login failed", "user", u.ID, "net", throttle.LogAddress(ip))
			s.failed(ctx, u, addr)
		} else {
			s.log.InfoContext(ctx, "login failed: no such account", "net", throttle.LogAddress(ip))
		}
		return SignIn{}, ErrBadLogin
	}
	s.byPair.Reset(pair)
	if u.TwoFactor {
		token, hash, err := NewToken()
		if err == nil {
			err = s.accounts.CreatePendingSession(ctx, hash, u.ID, time.Now().Add(SecondFactorTTL))
		}
		if err != nil {
			return SignIn{}, fmt.Errorf("login %s: %w", email, err)
		}
		return SignIn{Token: token, User: u, NeedsCode: true}, nil
	}
	return s.signedIn(ctx, u, ip, func(hash string) error {
		return s.accounts.CreateSession(ctx, hash, u.ID, time.Now().Add(SessionTTL))
	})
}

// SecondFactor completes the half-open session of token with a code from
// the account's authenticator or one of its recovery codes, from address
// ip. Codes are throttled per account (news.ErrTooMany); a wrong one is
// ErrBadCode, a session gone is ErrSignInExpired. On success the session
// is a full one under a new token.
func (s *Service) SecondFactor(ctx context.Context, token, code, ip string) (SignIn, error) {
	if token == "" || len(token) > maxToken {
		return SignIn{}, ErrSignInExpired
	}
	pending := HashToken(token)
	u, err := s.accounts.PendingSessionUser(ctx, pending)
	if errors.Is(err, news.ErrNotFound) {
		return SignIn{}, ErrSignInExpired
	}
	if err != nil {
		return SignIn{}, err
	}
	if err := s.checkCode(ctx, u, code, throttle.Address(ip)); err != nil {
		return SignIn{}, err
	}
	in, err := s.signedIn(ctx, u, ip, func(hash string) error {
		return s.accounts.PromoteSession(ctx, pending, hash, u.ID, time.Now().Add(SessionTTL))
	})
	if errors.Is(err, news.ErrNotFound) {
		return SignIn{}, ErrSignInExpired
	}
	return in, err
}

// checkCode spends a code of u's: a TOTP code of a step not used yet, or
// an unused recovery code.
func (s *Service) checkCode(ctx context.Context, u *User, code, addr string) error {
	key := "code:" + strconv.FormatInt(u.ID, 10)
	if !s.byUser.Take(key) {
		return fmt.Errorf("two-factor code of %s: %w", u.Email, news.ErrTooMany)
	}
	code = NormalizeCode(code)
	ok := false
	switch {
	case IsRecoveryCode(code):
		var err error
		if ok, err = s.accounts.SpendRecoveryCode(ctx, u.ID, HashRecoveryCode(u.ID, code), u.Actor()); err != nil {
			return err
		}
	case len(code) == totpDigits:
		st, err := s.accounts.TwoFactor(ctx, u.ID)
		if err != nil {
			return err
		}
		secret, err := s.open(ctx, u.ID, st.Secret)
		if err != nil {
			return err
		}
		if step, match := MatchTOTP(secret, code, time.Now(), st.Step); match {
			if ok, err = s.accounts.SpendTOTPStep(ctx, u.ID, step); err != nil {
				return err
			}
		}
	}
	if !ok {
		s.log.InfoContext(ctx, "two-factor code refused", "user", u.ID, "net", throttle.LogAddress(addr))
		// A wrong code comes from someone who has the password: logged
		// each time (the budget above bounds how often).
		if err := s.accounts.Audit(ctx, u.Actor(), "login.code_failed", "user "+strconv.FormatInt(u.ID, 10), ""); err != nil {
			s.log.ErrorContext(ctx, "audit a refused code", "err", err)
		}
		s.failed(ctx, u, addr)
		return ErrBadCode
	}
	s.byUser.Reset(key)
	return nil
}

// signedIn opens u's session with create (given the new token's hash)
// and logs it.
func (s *Service) signedIn(ctx context.Context, u *User, ip string, create func(hash string) error) (SignIn, error) {
	token, hash, err := NewToken()
	if err == nil {
		err = create(hash)
	}
	if err != nil {
		return SignIn{}, fmt.Errorf("open a session for %s: %w", u.Email, err)
	}
	if err := s.accounts.Audit(ctx, u.Actor(), "login", "", ""); err != nil {
		s.log.ErrorContext(ctx, "audit login", "err", err)
	}
	s.log.InfoContext(ctx, "login", "user", u.ID, "email", u.Email, "net", throttle.LogAddress(ip))
	return SignIn{Token: token, User: u}, nil
}

// failed counts a failed login of u from addr towards a burst, and notes
// the burst (audit entry, notice) the first time it is one.
func (s *Service) failed(ctx context.Context, u *User, addr string) {
	failures, addrs, alarm := s.bursts.fail(u.ID, addr, time.Now())
	if !alarm {
		return
	}
	s.log.WarnContext(ctx, "burst of failed logins", "user", u.ID, "email", u.Email, "failures", failures, "addresses", addrs)
	if _, err := s.accounts.NoteLoginBurst(ctx, u.ID, failures, addrs, burstWindow); err != nil {
		s.log.ErrorContext(ctx, "note a burst of failed logins", "err", err)
	}
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
	key := "password:" + strconv.FormatInt(u.ID, 10)
	if !s.byUser.Take(key) {
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
	s.byUser.Reset(key)
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
