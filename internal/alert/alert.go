// Package alert sends breaking-news alerts to readers and partners: Web Push
// (RFC 8030, 8291, 8292), a Telegram channel, email over SMTP and signed
// webhooks, plus the "copy for WhatsApp" text. Each channel delivers one
// alert to one recipient per call and reports the outcome the same way (see
// Outcome), so the job layer can remove dead subscriptions, retry later or
// give up without knowing which channel it is driving.
package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"khabar/internal/news"
)

// Urgency is RFC 8030's Urgency header: push services may hold back
// low-urgency messages to save the reader's battery.
type Urgency string

// The urgencies of RFC 8030 section 5.3.
const (
	UrgencyVeryLow Urgency = "very-low"
	UrgencyLow     Urgency = "low"
	UrgencyNormal  Urgency = "normal"
	UrgencyHigh    Urgency = "high"
)

func (u Urgency) valid() bool {
	switch u {
	case UrgencyVeryLow, UrgencyLow, UrgencyNormal, UrgencyHigh:
		return true
	}
	return false
}

// Limits of an alert's fields, in characters. The push payload limit below
// is what really bounds an alert; these keep single fields sane.
const (
	maxTitle = 200
	maxText  = 1000
	maxURL   = 2000
	maxTopic = 100
)

// MaxPushPayload is the largest push payload in bytes: RFC 8291 records may
// hold 4096 bytes, of which the aes128gcm header takes 86 (salt, record
// size, key id length and the 65-byte key), the padding delimiter 1 and the
// AES-GCM tag 16.
const MaxPushPayload = 4096 - 86 - 1 - 16

// PushPayloadWarn is where Firefox on Android starts to drop messages
// (its own limit is lower than the protocol's); the composer warns above it.
const PushPayloadWarn = 3000

// ErrPayloadTooLarge means the alert does not fit in one push message.
var ErrPayloadTooLarge = errors.New("push payload too large")

// Alert is one breaking-news message, sent alike on every channel.
type Alert struct {
	ID      int64
	Title   string
	Text    string // short text under the title
	URL     string // the article, absolute
	Urgency Urgency
	// Topic is "breaking" or a section slug: readers subscribe to topics,
	// and a newer push on the same topic replaces an undelivered older one.
	Topic   string
	Lang    string // BCP 47; empty means Arabic
	Dir     string // "rtl" or "ltr"; empty means the usual direction of Lang
	Created time.Time
}

// rtlLanguages are the base languages written right to left that an
// outlet might publish in.
var rtlLanguages = map[string]bool{"ar": true, "fa": true, "he": true, "ur": true, "ps": true, "ckb": true, "sd": true, "ug": true, "yi": true, "dv": true}

func (a *Alert) lang() string {
	if a.Lang == "" {
		return "ar"
	}
	return a.Lang
}

func (a *Alert) dir() string {
	if a.Dir != "" {
		return a.Dir
	}
	base, _, _ := strings.Cut(a.lang(), "-")
	if rtlLanguages[strings.ToLower(base)] {
		return "rtl"
	}
	return "ltr"
}

func (a *Alert) urgency() Urgency {
	if a.Urgency == "" {
		return UrgencyNormal
	}
	return a.Urgency
}

// Validate checks an alert before it is stored or sent. Codes are the
// news package's short words ("required", "too_long", "bad_url",
// "bad_value", "too_large") that the newsroom translates.
func (a *Alert) Validate() error {
	var v news.Invalid
	if strings.TrimSpace(a.Title) == "" {
		v.Add("title", "required")
	}
	checkText(&v, "title", a.Title, maxTitle, false)
	checkText(&v, "text", a.Text, maxText, true)
	checkText(&v, "topic", a.Topic, maxTopic, false)
	switch {
	case a.URL == "":
		v.Add("url", "required")
	case len(a.URL) > maxURL || !webURL(a.URL):
		v.Add("url", "bad_url")
	}
	if a.Urgency != "" && !a.Urgency.valid() {
		v.Add("urgency", "bad_value")
	}
	if a.Lang != "" && !langTag(a.Lang) {
		v.Add("lang", "bad_value")
	}
	if a.Dir != "" && a.Dir != "rtl" && a.Dir != "ltr" {
		v.Add("dir", "bad_value")
	}
	if len(v.Fields) == 0 && a.PushPayloadSize() > MaxPushPayload {
		v.Add("payload", "too_large")
	}
	return v.Err()
}

// checkText records the first problem of a text field, if any: over limit
// characters, or not clean.
func checkText(v *news.Invalid, field, s string, limit int, multiline bool) {
	switch {
	case utf8.RuneCountInString(s) > limit:
		v.Add(field, "too_long")
	case !cleanText(s, multiline):
		v.Add(field, "bad_value")
	}
}

// cleanText reports whether s is valid UTF-8 without control characters;
// newlines are allowed in multi-line fields only. Headers, Telegram HTML
// and JSON all take such text safely.
func cleanText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\n' && multiline {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

func webURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// langTag accepts the shape of a BCP 47 tag (letters, digits, hyphens),
// enough to keep it harmless in an attribute.
func langTag(s string) bool {
	if len(s) > 35 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

// pushMessage is the JSON the service worker reads and hands to
// showNotification.
type pushMessage struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
	// Tag makes a retried delivery of one alert replace its own
	// notification, while different alerts stay side by side.
	Tag  string `json:"tag"`
	Lang string `json:"lang"`
	Dir  string `json:"dir"`
}

func (a *Alert) tag() string { return "alert-" + strconv.FormatInt(a.ID, 10) }

func (a *Alert) pushJSON() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Escaping <, > and & as \u003c would spend bytes of a tight budget
	// on a payload that never meets HTML.
	enc.SetEscapeHTML(false)
	// Encoding strings into a buffer cannot fail.
	_ = enc.Encode(pushMessage{Title: a.Title, Body: a.Text, URL: a.URL, Tag: a.tag(), Lang: a.lang(), Dir: a.dir()})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// PushPayloadSize is the size in bytes of the alert's push payload, to
// compare with MaxPushPayload and PushPayloadWarn.
func (a *Alert) PushPayloadSize() int { return len(a.pushJSON()) }

// PushPayload returns the JSON the service worker receives:
// {"title","body","url","tag","lang","dir"}.
func (a *Alert) PushPayload() ([]byte, error) {
	p := a.pushJSON()
	if len(p) > MaxPushPayload {
		return nil, fmt.Errorf("alert %d: push payload is %d bytes, over the limit of %d: %w", a.ID, len(p), MaxPushPayload, ErrPayloadTooLarge)
	}
	return p, nil
}
