package alert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token errors.
var (
	ErrBadToken     = errors.New("token is malformed or not ours")
	ErrTokenExpired = errors.New("token has expired")
)

// Tokens signs the links of emails (confirm a subscription, unsubscribe)
// so that the link itself proves who it is for and what it may do: no
// table of pending tokens, and an unsubscribe link works from any old
// email until it expires.
type Tokens struct {
	key []byte
}

// NewTokens returns a signer; key is a secret of at least 32 random bytes
// that the caller keeps (changing it voids every link sent).
func NewTokens(key []byte) (*Tokens, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("token key is %d bytes, at least 32 needed", len(key))
	}
	return &Tokens{key: key}, nil
}

// Make returns a URL-safe token binding email to purpose ("confirm",
// "unsubscribe", …) until expires.
func (t *Tokens) Make(email, purpose string, expires time.Time) string {
	// Lengths and the expiry come first in fixed form, so no choice of
	// email or purpose can make one token read as another.
	payload := make([]byte, 0, 16+len(purpose)+len(email))
	payload = binary.BigEndian.AppendUint64(payload, uint64(expires.Unix()))
	payload = binary.AppendUvarint(payload, uint64(len(purpose)))
	payload = append(payload, purpose...)
	payload = append(payload, email...)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(t.mac(payload))
}

func (t *Tokens) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write(payload)
	return m.Sum(nil)
}

// Verify checks token for purpose at now and returns the email it names.
func (t *Tokens) Verify(token, purpose string, now time.Time) (string, error) {
	p64, m64, ok := strings.Cut(token, ".")
	if !ok {
		return "", ErrBadToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, t.mac(payload)) || len(payload) < 9 {
		return "", ErrBadToken
	}
	expires := int64(binary.BigEndian.Uint64(payload))
	n, k := binary.Uvarint(payload[8:])
	rest := payload[8+max(k, 0):]
	if k <= 0 || n > uint64(len(rest)) || string(rest[:n]) != purpose {
		return "", ErrBadToken
	}
	if now.Unix() > expires {
		return "", ErrTokenExpired
	}
	return string(rest[n:]), nil
}
