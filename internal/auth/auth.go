// Package auth holds newsroom accounts, roles and what each role may do,
// password hashing (argon2id), session and API tokens, and the Service
// that signs people in (through Accounts, the store).
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"khabar/internal/news"

	"golang.org/x/crypto/argon2"
)

// Role is a newsroom role.
type Role string

const (
	RoleAdmin     Role = "admin"
	RoleEditor    Role = "editor"
	RoleWriter    Role = "writer"
	RoleModerator Role = "moderator"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleEditor, RoleWriter, RoleModerator}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want one of admin, editor, writer, moderator)", s)
}

// Permission is something a role may do.
type Permission string

const (
	PermWrite           Permission = "write"         // create and edit articles
	PermPublish         Permission = "publish"       // publish, unpublish
	PermManageTicker    Permission = "ticker"        // ticker items
	PermManageSections  Permission = "sections"      // the outlet's sections
	PermManageAuthors   Permission = "authors"       // author profiles
	PermManagePages     Permission = "pages"         // the outlet's own pages
	PermManageRedirects Permission = "redirects"     // old addresses answering 301
	PermCorrect         Permission = "correct"       // corrections and editor's notes on published articles
	PermTokens          Permission = "tokens"        // hold API tokens, make and revoke them
	PermManageSettings  Permission = "settings"      // site settings, users
	PermModerate        Permission = "moderate"      // reader comments
	PermNewsletters     Permission = "newsletters"   // newsletter lists and issues
	PermViewNewsroom    Permission = "view_newsroom" // open /admin at all
)

var grants = map[Role][]Permission{
	RoleAdmin:     {PermWrite, PermPublish, PermManageTicker, PermManageSections, PermManageAuthors, PermManagePages, PermManageRedirects, PermCorrect, PermTokens, PermManageSettings, PermModerate, PermNewsletters, PermViewNewsroom},
	RoleEditor:    {PermWrite, PermPublish, PermManageTicker, PermManageSections, PermManageAuthors, PermManagePages, PermManageRedirects, PermCorrect, PermTokens, PermModerate, PermNewsletters, PermViewNewsroom},
	RoleWriter:    {PermWrite, PermViewNewsroom},
	RoleModerator: {PermModerate, PermViewNewsroom},
}

// Can reports whether the role has the permission.
func (r Role) Can(p Permission) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}

// User is a newsroom account.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	PasswordHash string
	CreatedAt    time.Time
	// Disabled: an admin closed the account; it opens no session and no
	// API token works for it.
	Disabled bool
	// TwoFactor: signing in takes a code from an authenticator too.
	TwoFactor bool
	// LoginBurstAt is when the account last saw a burst of failed logins
	// (zero: never); LoginNotice, that its holder has yet to see it.
	LoginBurstAt time.Time
	LoginNotice  bool
}

// ErrDisabled refuses a sign-in to a disabled account.
var ErrDisabled = fmt.Errorf("the account is disabled: %w", news.ErrUnauthenticated)

// Can reports whether the user may do p.
func (u *User) Can(p Permission) bool { return u != nil && u.Role.Can(p) }

// Staff is the user as the editorial rules (news.Article.EditableBy) see
// them: the desk is whoever may publish.
func (u *User) Staff() news.Staff { return news.Staff{UserID: u.ID, Desk: u.Can(PermPublish)} }

// Actor is the user as the audit log names them.
func (u *User) Actor() news.Actor { return news.Actor{UserID: u.ID, Name: u.Name} }

// Password rules: long enough to resist guessing, short enough that hashing
// a hostile input stays cheap.
const (
	MinPassword = 10
	MaxPassword = 256
)

// ErrBadPassword means a password does not match its hash.
var ErrBadPassword = errors.New("wrong password")

// CheckPasswordRules validates a new password.
func CheckPasswordRules(pw string) error {
	switch n := len([]rune(pw)); {
	case n < MinPassword:
		return fmt.Errorf("password too short: at least %d characters", MinPassword)
	case len(pw) > MaxPassword:
		return fmt.Errorf("password too long: at most %d bytes", MaxPassword)
	}
	return nil
}

// argon2id parameters (RFC 9106 second recommendation, lighter memory so a
// 2-core server can take a login burst).
const (
	argonTime    = 2
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword checks pw against an encoded hash in constant time.
func VerifyPassword(encoded, pw string) error {
	if len(pw) > MaxPassword {
		return ErrBadPassword
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("verify password: unknown hash format")
	}
	var (
		version   int
		mem, iter uint32
		threads   uint8
	)
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil {
		return fmt.Errorf("verify password: %w", err)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return fmt.Errorf("verify password: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("verify password: salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("verify password: key: %w", err)
	}
	got := argon2.IDKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrBadPassword
	}
	return nil
}

// SessionTTL is how long a newsroom login lasts without activity.
const SessionTTL = 14 * 24 * time.Hour

// NewToken returns a random session token for the cookie and the hash to
// store; a stolen database cannot be turned into live sessions.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new session token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a session token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Session is a signed-in browser of a user, as the newsroom lists it.
type Session struct {
	ID        string // a prefix of the token's hash: enough to name it, useless to sign in
	CreatedAt time.Time
	ExpiresAt time.Time
	Current   bool // the session of the request that lists it
}
