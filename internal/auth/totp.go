package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Time-based one-time passwords (RFC 6238) as every authenticator app
// makes them by default: HMAC-SHA-1, six digits, a 30-second step.
const (
	totpDigits = 6
	totpPeriod = 30 * time.Second
	// totpSkew is how many steps either side of now a code may come
	// from: a phone's clock a little off, or a code typed as it turned.
	totpSkew = 1
	// totpSecretLen is the key's length in bytes: 160 bits, the
	// HMAC-SHA-1 block RFC 4226 recommends.
	totpSecretLen = 20
)

// hotp is RFC 4226's HOTP value of counter under key, in digits digits.
func hotp(key []byte, counter uint64, digits int) string {
	m := hmac.New(sha1.New, key)
	binary.Write(m, binary.BigEndian, counter)
	sum := m.Sum(nil)
	// Dynamic truncation: the low nibble of the last byte picks four
	// bytes, read big-endian without their top bit.
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// TOTPStep is the time step t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(totpPeriod/time.Second) }

// TOTPCode is the six-digit code of secret at time step step.
func TOTPCode(secret []byte, step int64) string { return hotp(secret, uint64(step), totpDigits) }

// MatchTOTP finds the step, within totpSkew of now's and later than
// after (the last step that signed in: a code is good once), whose code
// is code. Every candidate is compared, in constant time.
func MatchTOTP(secret []byte, code string, now time.Time, after int64) (int64, bool) {
	if len(code) != totpDigits {
		return 0, false
	}
	var (
		found int64
		ok    bool
	)
	cur := TOTPStep(now)
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		if subtle.ConstantTimeCompare([]byte(TOTPCode(secret, step)), []byte(code)) == 1 && step > after && !ok {
			found, ok = step, true
		}
	}
	return found, ok
}

// NewTOTPSecret is a fresh random key for an authenticator.
func NewTOTPSecret() ([]byte, error) {
	b := make([]byte, totpSecretLen)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("new two-factor secret: %w", err)
	}
	return b, nil
}

// secretText is the key as people type it into an app: base32 without
// padding, in groups of four.
var secretText = base32.StdEncoding.WithPadding(base32.NoPadding)

// FormatTOTPSecret writes secret for a person to type.
func FormatTOTPSecret(secret []byte) string {
	s := secretText.EncodeToString(secret)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// TOTPURI is the otpauth:// address an authenticator app reads from a QR
// code (Google Authenticator's Key Uri Format): issuer and account label
// the entry in the app.
func TOTPURI(issuer, account string, secret []byte) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{"secret": {secretText.EncodeToString(secret)}, "issuer": {issuer},
		"algorithm": {"SHA1"}, "digits": {strconv.Itoa(totpDigits)}, "period": {strconv.Itoa(int(totpPeriod / time.Second))}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// NormalizeCode reads a typed code: spaces and dashes dropped, letters
// lower-cased. Anything longer than a recovery code is refused ("").
func NormalizeCode(code string) string {
	if len(code) > 64 {
		return ""
	}
	code = strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
	return code
}

// Recovery codes stand in for the authenticator once each: ten of 80
// random bits, so a fast hash stores them as safely as session tokens.
const (
	RecoveryCodes   = 10
	recoveryCodeLen = 16 // base32 characters: 80 bits
)

var recoveryText = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewRecoveryCodes makes a fresh set of recovery codes for the account
// userID: the codes to show once ("abcd-efgh-ijkl-mnop") and the hashes
// to store.
func NewRecoveryCodes(userID int64) (codes, hashes []string, err error) {
	for range RecoveryCodes {
		b := make([]byte, recoveryCodeLen*5/8)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("new recovery codes: %w", err)
		}
		c := recoveryText.EncodeToString(b)
		codes = append(codes, c[0:4]+"-"+c[4:8]+"-"+c[8:12]+"-"+c[12:16])
		hashes = append(hashes, HashRecoveryCode(userID, c))
	}
	return codes, hashes, nil
}

// IsRecoveryCode tells a normalised recovery code from anything else.
func IsRecoveryCode(code string) bool {
	if len(code) != recoveryCodeLen {
		return false
	}
	_, err := recoveryText.DecodeString(code)
	return err == nil
}

// HashRecoveryCode is the stored form of a normalised recovery code of
// userID; the account in the hash keeps one account's codes from
// matching another's.
func HashRecoveryCode(userID int64, code string) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(userID, 10) + ":" + code))
	return hex.EncodeToString(sum[:])
}

// sealer encrypts two-factor secrets at rest with AES-256-GCM under a
// server key (the secrets table): a copy of the users table alone — an
// export, a backup of one table, a row in a log — does not give away the
// codes. The user's id is the additional data, so a sealed secret moved
// to another account does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("two-factor key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("two-factor key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(userID int64, secret []byte) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal two-factor secret: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, secret, additional(userID))), nil
}

func (s *sealer) open(userID int64, sealed string) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, errors.New("open two-factor secret: malformed")
	}
	secret, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], additional(userID))
	if err != nil {
		return nil, fmt.Errorf("open two-factor secret of user %d: %w", userID, err)
	}
	return secret, nil
}

func additional(userID int64) []byte {
	return []byte("khabar totp user " + strconv.FormatInt(userID, 10))
}

// TwoFactorState is an account's two-factor state as stored.
type TwoFactorState struct {
	Secret  string // sealed; "" while two-factor is off
	Pending string // sealed secret being enrolled, not yet confirmed
	Step    int64  // the last time step that signed in
}
