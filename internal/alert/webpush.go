package alert

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"khabar/internal/outbound"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Web Push is implemented here on the standard library rather than with
// webpush-go: that library signs a new JWT and decodes the VAPID key for
// every message, pads every message to 4096 bytes, uses the deprecated
// crypto/elliptic arithmetic, and draws its salt and keys internally, so
// RFC 8291's own example cannot be checked against it.

// VAPIDKeys is the application server's key pair (RFC 8292). Browsers bind
// each subscription to the public key, so the pair is made once and kept:
// losing it orphans every subscription.
type VAPIDKeys struct {
	private    *ecdsa.PrivateKey
	privateRaw []byte // the 32-byte scalar, as stored
	public     []byte // uncompressed point: the applicationServerKey browsers take
}

// GenerateVAPIDKeys makes a new key pair.
func GenerateVAPIDKeys() (*VAPIDKeys, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate VAPID key: %w", err)
	}
	return vapidKeys(k)
}

func vapidKeys(k *ecdsa.PrivateKey) (*VAPIDKeys, error) {
	raw, err := k.Bytes()
	if err != nil {
		return nil, fmt.Errorf("VAPID private key: %w", err)
	}
	pub, err := k.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("VAPID public key: %w", err)
	}
	return &VAPIDKeys{private: k, privateRaw: raw, public: pub}, nil
}

// ParseVAPIDKeys restores a pair from the private key as PrivateKey wrote
// it (base64url of the 32-byte scalar; padding is tolerated).
func ParseVAPIDKeys(private string) (*VAPIDKeys, error) {
	raw, err := decodeB64URL(private)
	if err != nil {
		return nil, fmt.Errorf("VAPID private key is not base64url: %w", err)
	}
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("VAPID private key: %w", err)
	}
	return vapidKeys(k)
}

// PrivateKey is the private key in base64url, for the caller to store.
func (k *VAPIDKeys) PrivateKey() string { return base64.RawURLEncoding.EncodeToString(k.privateRaw) }

// PublicKey is the public key in base64url: the applicationServerKey the
// page passes to pushManager.subscribe.
func (k *VAPIDKeys) PublicKey() string { return base64.RawURLEncoding.EncodeToString(k.public) }

// decodeB64URL accepts base64url with or without padding, as browsers and
// older libraries differ.
func decodeB64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// Subscription is a browser's PushSubscription: where to post and the keys
// to encrypt for. Keys are base64url as browsers give them, so a store can
// keep the struct as three text columns.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	P256dh   string `json:"p256dh"`
	Auth     string `json:"auth"`
}

// maxSubscriptionJSON bounds what a browser may post: real ones are a few
// hundred bytes.
const maxSubscriptionJSON = 4096

// ParseSubscription reads the JSON of PushSubscription.toJSON()
// ({"endpoint", "expirationTime", "keys": {"p256dh", "auth"}}), checks the
// keys and refuses endpoints the guard refuses.
func ParseSubscription(ctx context.Context, data []byte, g outbound.Guard) (Subscription, error) {
	if len(data) > maxSubscriptionJSON {
		return Subscription{}, fmt.Errorf("push subscription: %d bytes of JSON, at most %d", len(data), maxSubscriptionJSON)
	}
	var in struct {
		Endpoint string `json:"endpoint"`
		Keys     struct {
			P256dh string `json:"p256dh"`
			Auth   string `json:"auth"`
		} `json:"keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return Subscription{}, fmt.Errorf("push subscription: malformed JSON: %w", err)
	}
	if dec.More() {
		return Subscription{}, errors.New("push subscription: data after the JSON object")
	}
	s := Subscription{Endpoint: in.Endpoint, P256dh: strings.TrimRight(in.Keys.P256dh, "="), Auth: strings.TrimRight(in.Keys.Auth, "=")}
	if _, _, err := s.keys(); err != nil {
		return Subscription{}, err
	}
	if len(s.Endpoint) > maxURL {
		return Subscription{}, fmt.Errorf("push subscription: endpoint of %d bytes, at most %d", len(s.Endpoint), maxURL)
	}
	if _, err := g.CheckURL(ctx, s.Endpoint); err != nil {
		return Subscription{}, fmt.Errorf("push subscription endpoint: %w", err)
	}
	return s, nil
}

// keys decodes and checks the browser's public key (a point on P-256) and
// authentication secret (16 bytes).
func (s Subscription) keys() (*ecdh.PublicKey, []byte, error) {
	p, err := decodeB64URL(s.P256dh)
	if err != nil {
		return nil, nil, fmt.Errorf("push subscription: p256dh is not base64url: %w", err)
	}
	if len(p) != pointLen {
		return nil, nil, fmt.Errorf("push subscription: p256dh is %d bytes, want %d", len(p), pointLen)
	}
	pub, err := ecdh.P256().NewPublicKey(p)
	if err != nil {
		return nil, nil, fmt.Errorf("push subscription: p256dh: %w", err)
	}
	auth, err := decodeB64URL(s.Auth)
	if err != nil {
		return nil, nil, fmt.Errorf("push subscription: auth is not base64url: %w", err)
	}
	if len(auth) != authLen {
		return nil, nil, fmt.Errorf("push subscription: auth is %d bytes, want %d", len(auth), authLen)
	}
	return pub, auth, nil
}

// WebPushConfig configures a WebPush sender.
type WebPushConfig struct {
	Keys *VAPIDKeys
	// Subject is how push services reach the operator: "mailto:…" or
	// "https://…" (RFC 8292 section 2.1).
	Subject string
	// TTL is how long a push service keeps an alert for a reader who is
	// offline; DefaultPushTTL when zero.
	TTL time.Duration
	// Client posts the messages; outbound.Guard{}.Client(nil) when nil.
	Client *http.Client
}

// DefaultPushTTL: news older than this is no longer worth waking a phone for.
const DefaultPushTTL = 6 * time.Hour

// jwtLifetime is how long a signed VAPID token is used: well within the
// 24 hours RFC 8292 allows, renewed an hour before it ends.
const jwtLifetime = 12 * time.Hour

// WebPush sends alerts to push subscriptions.
type WebPush struct {
	cfg WebPushConfig
	k   string // "k=" parameter of the Authorization header

	mu   sync.Mutex
	jwts map[string]signedJWT // by audience (the push service's origin)
}

type signedJWT struct {
	token string
	exp   time.Time
}

// NewWebPush checks cfg and returns a sender.
func NewWebPush(cfg WebPushConfig) (*WebPush, error) {
	if cfg.Keys == nil {
		return nil, errors.New("web push: no VAPID keys")
	}
	if !strings.HasPrefix(cfg.Subject, "mailto:") && !strings.HasPrefix(cfg.Subject, "https://") {
		return nil, fmt.Errorf("web push: VAPID subject %q must be a mailto: or https: URL", cfg.Subject)
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultPushTTL
	}
	if cfg.Client == nil {
		cfg.Client = outbound.Guard{}.Client(nil)
	}
	return &WebPush{cfg: cfg, k: cfg.Keys.PublicKey(), jwts: map[string]signedJWT{}}, nil
}

// Send encrypts the alert for one subscription and posts it to the
// subscription's push service (RFC 8030 section 5).
func (w *WebPush) Send(ctx context.Context, a *Alert, sub Subscription) error {
	fail := func(err error) error { return &Error{Channel: "webpush", Outcome: Failed, Err: err} }
	// The size first, for its error that says by how much.
	payload, err := a.PushPayload()
	if err != nil {
		return fail(err)
	}
	if err := a.Validate(); err != nil {
		return fail(err)
	}
	u, err := outbound.ParseHTTPS(sub.Endpoint)
	if err != nil {
		return fail(fmt.Errorf("push endpoint: %w", err))
	}
	uaPublic, auth, err := sub.keys()
	if err != nil {
		return fail(err)
	}
	asKey, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return fail(err)
	}
	salt := make([]byte, saltLen)
	rand.Read(salt)
	body, err := encryptPush(payload, uaPublic, auth, asKey, salt)
	if err != nil {
		return fail(err)
	}
	token, err := w.jwt(u.Scheme + "://" + u.Host)
	if err != nil {
		return fail(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return fail(err)
	}
	h := req.Header
	h["Content-Type"] = []string{"application/octet-stream"}
	h["Content-Encoding"] = []string{"aes128gcm"}
	h["Ttl"] = []string{strconv.Itoa(int(w.cfg.TTL / time.Second))}
	h["Urgency"] = []string{string(a.urgency())}
	if a.Topic != "" {
		h["Topic"] = []string{pushTopic(a.Topic)}
	}
	h["Authorization"] = []string{"vapid t=" + token + ", k=" + w.k}
	res, err := w.cfg.Client.Do(req)
	if err != nil {
		return transportError("webpush", err)
	}
	return classifyHTTP("webpush", res, true)
}

// pushTopic makes an alert topic into an RFC 8030 Topic: at most 32
// characters of the base64url alphabet. Section slugs may be Arabic, so
// anything else is replaced by a digest that stays the same for the topic.
func pushTopic(topic string) string {
	if len(topic) <= 32 && strings.Trim(topic, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == "" {
		return topic
	}
	sum := sha256.Sum256([]byte(topic))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

// jwt returns the VAPID token for a push service, signing a new one only
// when the last is near its end: one signature per service per half day
// instead of one per message.
func (w *WebPush) jwt(aud string) (string, error) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.jwts[aud]; ok && now.Before(t.exp.Add(-time.Hour)) {
		return t.token, nil
	}
	exp := now.Add(jwtLifetime)
	token, err := signJWT(w.cfg.Keys.private, aud, w.cfg.Subject, exp)
	if err != nil {
		return "", err
	}
	w.jwts[aud] = signedJWT{token: token, exp: exp}
	return token, nil
}

// jwtHeader is base64url of {"typ":"JWT","alg":"ES256"}.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`))

// signJWT makes the VAPID token of RFC 8292 section 2: ES256 over the
// audience, expiry and contact, the signature as r‖s (RFC 7518 3.4).
func signJWT(key *ecdsa.PrivateKey, aud, sub string, exp time.Time) (string, error) {
	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}{aud, exp.Unix(), sub})
	if err != nil {
		return "", err
	}
	signed := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign VAPID token: %w", err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
