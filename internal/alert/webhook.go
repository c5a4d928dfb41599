package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"khabar/internal/outbound"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook headers. The scheme, for partners:
//
//	X-Khabar-Timestamp: the Unix time of sending, in seconds
//	X-Khabar-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>
//	X-Khabar-Delivery:  an id that stays the same when one alert is sent to
//	                    one URL again after a failure; use it to drop duplicates
//
// To verify, compute the HMAC over the timestamp header's value, a dot and
// the raw request body, compare it with the signature in constant time, and
// refuse timestamps more than five minutes from your clock: signing the
// time with the body stops a captured request from being replayed later.
// VerifyWebhook does exactly this.
const (
	HeaderTimestamp = "X-Khabar-Timestamp"
	HeaderSignature = "X-Khabar-Signature"
	HeaderDelivery  = "X-Khabar-Delivery"
)

// WebhookTolerance is how far a webhook's timestamp may be from the
// receiver's clock.
const WebhookTolerance = 5 * time.Minute

// ErrBadSignature means a webhook request was not signed with the secret,
// was changed on the way, or is too old.
var ErrBadSignature = errors.New("webhook signature does not verify")

// WebhookTarget is one partner: where to post and the secret shared with it.
type WebhookTarget struct {
	URL    string
	Secret string
}

// webhookBody is the JSON a partner receives.
type webhookBody struct {
	ID      int64      `json:"id"`
	Title   string     `json:"title"`
	Text    string     `json:"text"`
	URL     string     `json:"url"`
	Urgency Urgency    `json:"urgency"`
	Topic   string     `json:"topic,omitempty"`
	Lang    string     `json:"lang"`
	Dir     string     `json:"dir"`
	Created *time.Time `json:"created,omitempty"`
}

// Webhook posts signed alerts to partners' URLs (WhatsApp Business
// providers, agencies, the outlet's own tools).
type Webhook struct {
	client *http.Client
}

// NewWebhook returns a sender posting with client; outbound.Guard{}.Client(nil)
// when nil, which refuses private addresses.
func NewWebhook(client *http.Client) *Webhook {
	if client == nil {
		client = outbound.Guard{}.Client(nil)
	}
	return &Webhook{client: client}
}

// Send posts the alert as JSON to one target.
func (w *Webhook) Send(ctx context.Context, a *Alert, to WebhookTarget) error {
	fail := func(err error) error { return &Error{Channel: "webhook", Outcome: Failed, Err: err} }
	if err := a.Validate(); err != nil {
		return fail(err)
	}
	if _, err := outbound.ParseHTTPS(to.URL); err != nil {
		return fail(fmt.Errorf("webhook URL: %w", err))
	}
	if to.Secret == "" {
		return fail(errors.New("webhook has no secret"))
	}
	wb := webhookBody{ID: a.ID, Title: a.Title, Text: a.Text, URL: a.URL, Urgency: a.urgency(), Topic: a.Topic, Lang: a.lang(), Dir: a.dir()}
	if !a.Created.IsZero() {
		wb.Created = &a.Created
	}
	body, err := json.Marshal(wb)
	if err != nil {
		return fail(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to.URL, bytes.NewReader(body))
	if err != nil {
		return fail(err)
	}
	delivery := sha256.Sum256([]byte(strconv.FormatInt(a.ID, 10) + " " + to.URL))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Khabar-Webhook/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, signWebhook(to.Secret, ts, body))
	req.Header.Set(HeaderDelivery, hex.EncodeToString(delivery[:16]))
	res, err := w.client.Do(req)
	if err != nil {
		return transportError("webhook", err)
	}
	return classifyHTTP("webhook", res, false)
}

func signWebhook(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks a received webhook as a partner should: the
// signature over the timestamp and the body, and a timestamp within
// WebhookTolerance of now.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: bad timestamp %q", ErrBadSignature, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > WebhookTolerance || d < -WebhookTolerance {
		return fmt.Errorf("%w: timestamp %s off by %s", ErrBadSignature, ts, d.Round(time.Second))
	}
	got := h.Get(HeaderSignature)
	if !strings.HasPrefix(got, "sha256=") || !hmac.Equal([]byte(got), []byte(signWebhook(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}
