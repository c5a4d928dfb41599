// Package alerttest has in-process peers that speak the real protocols of
// the alert channels, for tests and benchmarks: a push service that checks
// VAPID and decrypts what it receives, and an SMTP server.
package alerttest

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"khabar/internal/alert"
)

// PushMessage is one message the push service accepted.
type PushMessage struct {
	Subscription string // the id in the endpoint's path
	Header       http.Header
	Payload      []byte // decrypted; nil when decryption is off
	Subject      string // the VAPID sub claim
}

// PushService is a push service (RFC 8030) on a local TLS server with
// HTTP/2. It refuses what a real one refuses (a bad VAPID token, missing or
// malformed TTL, Urgency or Topic headers, an oversized body), and for
// subscriptions it created it decrypts each message with the browser's
// private key, as the browser would.
type PushService struct {
	server *httptest.Server

	// Respond chooses the answer for a subscription id: its status and
	// extra headers (such as Retry-After). Nil means 201 Created.
	Respond func(id string) (int, http.Header)
	// Sample, above 1, decrypts and records only one accepted message in
	// Sample, for benchmarks; every body is still read in full and every
	// VAPID token checked.
	Sample int64

	received atomic.Int64
	bytes    atomic.Int64
	accepted atomic.Int64
	nextID   atomic.Int64

	mu       sync.Mutex
	browsers map[string]browser
	messages []PushMessage
	problems []string
	tokens   map[string]vapidToken // Authorization values that verified
}

// browser holds what only the subscribed browser knows.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

// NewPushService starts a push service; Close it when done.
func NewPushService() *PushService {
	p := &PushService{browsers: map[string]browser{}, tokens: map[string]vapidToken{}}
	p.server = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.server.EnableHTTP2 = true
	p.server.StartTLS()
	return p
}

// Close stops the server.
func (p *PushService) Close() { p.server.Close() }

// RootCAs trusts the server's certificate.
func (p *PushService) RootCAs() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.server.Certificate())
	return pool
}

// URL is the server's origin.
func (p *PushService) URL() string { return p.server.URL }

// Subscribe plays a browser subscribing: it makes a key pair and an auth
// secret and returns the subscription as the browser would hand it over.
func (p *PushService) Subscribe() (alert.Subscription, error) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return alert.Subscription{}, err
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	id := strconv.FormatInt(p.nextID.Add(1), 10)
	p.mu.Lock()
	p.browsers[id] = browser{key: key, auth: auth}
	p.mu.Unlock()
	return alert.Subscription{
		Endpoint: p.server.URL + "/push/" + id,
		P256dh:   base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(auth),
	}, nil
}

// Messages returns the accepted messages so far.
func (p *PushService) Messages() []PushMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]PushMessage(nil), p.messages...)
}

// Problems lists the requests refused for breaking the protocol.
func (p *PushService) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Received counts requests whose body was read, and Bytes their bodies.
func (p *PushService) Received() int64 { return p.received.Load() }

// Bytes is the total size of the bodies received.
func (p *PushService) Bytes() int64 { return p.bytes.Load() }

var topicHeader = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func (p *PushService) serve(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/push/")
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4097))
	if err != nil {
		p.refuse(w, http.StatusBadRequest, "read body: %v", err)
		return
	}
	p.received.Add(1)
	p.bytes.Add(int64(len(body)))
	if len(body) > 4096 {
		p.refuse(w, http.StatusRequestEntityTooLarge, "body of %d bytes", len(body))
		return
	}
	h := r.Header
	if ce := h.Get("Content-Encoding"); ce != "aes128gcm" {
		p.refuse(w, http.StatusBadRequest, "Content-Encoding %q", ce)
		return
	}
	if ttl, err := strconv.Atoi(h.Get("TTL")); err != nil || ttl < 0 {
		p.refuse(w, http.StatusBadRequest, "TTL %q", h.Get("TTL"))
		return
	}
	switch u := h.Get("Urgency"); u {
	case "", "very-low", "low", "normal", "high":
	default:
		p.refuse(w, http.StatusBadRequest, "Urgency %q", u)
		return
	}
	if t, ok := h["Topic"]; ok && (len(t) != 1 || !topicHeader.MatchString(t[0])) {
		p.refuse(w, http.StatusBadRequest, "Topic %q", t)
		return
	}
	sub, err := p.checkVAPID(h.Get("Authorization"), "https://"+r.Host)
	if err != nil {
		p.refuse(w, http.StatusForbidden, "VAPID: %v", err)
		return
	}
	status, extra := http.StatusCreated, http.Header(nil)
	if p.Respond != nil {
		status, extra = p.Respond(id)
	}
	if status == http.StatusCreated && (p.Sample <= 1 || p.accepted.Add(1)%p.Sample == 0) {
		p.mu.Lock()
		b, ok := p.browsers[id]
		p.mu.Unlock()
		if !ok {
			status = http.StatusGone
		} else if payload, err := alert.DecryptPush(body, b.key, b.auth); err != nil {
			p.refuse(w, http.StatusBadRequest, "subscription %s: %v", id, err)
			return
		} else {
			p.mu.Lock()
			p.messages = append(p.messages, PushMessage{Subscription: id, Header: h.Clone(), Payload: payload, Subject: sub})
			p.mu.Unlock()
		}
	}
	for k, v := range extra {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
}

func (p *PushService) refuse(w http.ResponseWriter, status int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.mu.Lock()
	p.problems = append(p.problems, msg)
	p.mu.Unlock()
	http.Error(w, msg, status)
}

// checkVAPID verifies the Authorization header of RFC 8292: "vapid t=JWT,
// k=key", the JWT signed with ES256 by that key, its audience our origin,
// its expiry in the future and at most 24 hours away, its subject a
// mailto: or https: URL. It returns the subject.
func (p *PushService) checkVAPID(authz, origin string) (string, error) {
	params, ok := strings.CutPrefix(authz, "vapid ")
	if !ok {
		return "", fmt.Errorf("Authorization %q is not the vapid scheme", authz)
	}
	var t, k string
	for part := range strings.SplitSeq(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch name {
		case "t":
			t = value
		case "k":
			k = value
		}
	}
	p.mu.Lock()
	tok, seen := p.tokens[authz]
	p.mu.Unlock()
	if !seen {
		var err error
		if tok, err = verifyJWT(t, k); err != nil {
			return "", err
		}
		p.mu.Lock()
		p.tokens[authz] = tok
		p.mu.Unlock()
	}
	now := time.Now()
	switch {
	case tok.aud != origin:
		return "", fmt.Errorf("aud %q, want %q", tok.aud, origin)
	case !tok.exp.After(now):
		return "", fmt.Errorf("expired at %s", tok.exp)
	case tok.exp.After(now.Add(24 * time.Hour)):
		return "", fmt.Errorf("exp %s is more than 24 hours away", tok.exp)
	case !strings.HasPrefix(tok.sub, "mailto:") && !strings.HasPrefix(tok.sub, "https:"):
		return "", fmt.Errorf("sub %q", tok.sub)
	}
	return tok.sub, nil
}

// vapidToken is what a verified token says; the signature is checked once
// per token, as a push service would cache it, the claims at every use.
type vapidToken struct {
	aud, sub string
	exp      time.Time
}

// verifyJWT checks the ES256 signature of token t with the public key k
// and returns its claims.
func verifyJWT(t, k string) (vapidToken, error) {
	parts := strings.Split(t, ".")
	if len(parts) != 3 || k == "" {
		return vapidToken{}, errors.New("no token or no key")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	if err := decodeJSONPart(parts[1], &claims); err != nil {
		return vapidToken{}, fmt.Errorf("claims: %w", err)
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeJSONPart(parts[0], &header); err != nil || header.Alg != "ES256" {
		return vapidToken{}, fmt.Errorf("header: alg %q, %v", header.Alg, err)
	}
	rawKey, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return vapidToken{}, fmt.Errorf("k: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), rawKey)
	if err != nil {
		return vapidToken{}, fmt.Errorf("k: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return vapidToken{}, errors.New("signature is not 64 bytes of base64url")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return vapidToken{}, errors.New("signature does not verify with k")
	}
	return vapidToken{aud: claims.Aud, sub: claims.Sub, exp: time.Unix(claims.Exp, 0)}, nil
}

func decodeJSONPart(part string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
