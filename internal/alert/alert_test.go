package alert

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
)

func validAlert() *Alert {
	return &Alert{ID: 7, Title: "عاجل: زلزال بقوة ٦ درجات", Text: "ضرب زلزال جنوب البلاد صباح اليوم.", URL: "https://khabar.example/news/7/زلزال", Urgency: UrgencyHigh, Topic: "breaking"}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(a *Alert)
		field string
		code  string
	}{
		{"valid", func(*Alert) {}, "", ""},
		{"no title", func(a *Alert) { a.Title = " " }, "title", "required"},
		{"long title", func(a *Alert) { a.Title = strings.Repeat("ب", maxTitle+1) }, "title", "too_long"},
		{"newline in title", func(a *Alert) { a.Title = "a\r\nBcc: x@y" }, "title", "bad_value"},
		{"bad UTF-8", func(a *Alert) { a.Text = "\xff" }, "text", "bad_value"},
		{"newline in text", func(a *Alert) { a.Text = "سطر\nسطر" }, "", ""},
		{"no URL", func(a *Alert) { a.URL = "" }, "url", "required"},
		{"javascript URL", func(a *Alert) { a.URL = "javascript:alert(1)" }, "url", "bad_url"},
		{"relative URL", func(a *Alert) { a.URL = "/news/7" }, "url", "bad_url"},
		{"urgency", func(a *Alert) { a.Urgency = "urgent" }, "urgency", "bad_value"},
		{"dir", func(a *Alert) { a.Dir = "up" }, "dir", "bad_value"},
		{"lang", func(a *Alert) { a.Lang = `ar" onload="x` }, "lang", "bad_value"},
		{"payload", func(a *Alert) {
			a.Title = strings.Repeat("ع", maxTitle)
			a.Text = strings.Repeat("خ", maxText)
			a.URL += "/" + strings.Repeat("x", 1500)
		}, "payload", "too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := validAlert()
			c.edit(a)
			err := a.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			ie, ok := errors.AsType[*news.InvalidError](err)
			if !ok || ie.Fields[c.field] != c.code {
				t.Fatalf("Validate = %v, want %s: %s", err, c.field, c.code)
			}
		})
	}
}

func TestPushPayload(t *testing.T) {
	a := validAlert()
	a.Text = "<b>&</b>"
	p, err := a.PushPayload()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(p, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"title": a.Title, "body": "<b>&</b>", "url": a.URL, "tag": "alert-7", "lang": "ar", "dir": "rtl"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	a.Lang = "en"
	if p, _ := a.PushPayload(); !bytes.Contains(p, []byte(`"lang":"en","dir":"ltr"`)) {
		t.Errorf("an English alert is not ltr: %s", p)
	}

	// Exactly at the limit passes; one byte more is refused clearly.
	a = validAlert()
	a.Text = ""
	a.Text = strings.Repeat("x", MaxPushPayload-a.PushPayloadSize())
	if _, err := a.PushPayload(); err != nil || a.PushPayloadSize() != MaxPushPayload {
		t.Fatalf("payload of %d bytes: %v", a.PushPayloadSize(), err)
	}
	a.Text += "x"
	_, err = a.PushPayload()
	if !errors.Is(err, ErrPayloadTooLarge) || !strings.Contains(err.Error(), "3994 bytes, over the limit of 3993") {
		t.Fatalf("over the limit: %v", err)
	}
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 8291 section 5 and appendix A: the same keys and salt must give the
// same bytes, and the receiving side must read them back.
func TestRFC8291Example(t *testing.T) {
	plaintext := b64(t, "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24")
	asKey, err := ecdh.P256().NewPrivateKey(b64(t, "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(asKey.PublicKey().Bytes()); got != "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8" {
		t.Fatalf("application server public key %s", got)
	}
	uaKey, err := ecdh.P256().NewPrivateKey(b64(t, "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
	if err != nil {
		t.Fatal(err)
	}
	auth := b64(t, "BTBZMqHH6r4Tts7J_aSIgg")
	salt := b64(t, "DGv6ra1nlYgDCS1FRnbzlw")
	const want = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"

	body, err := encryptPush(plaintext, uaKey.PublicKey(), auth, asKey, salt)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(body); got != want {
		t.Fatalf("encrypted\n got %s\nwant %s", got, want)
	}
	got, err := DecryptPush(b64(t, want), uaKey, auth)
	if err != nil || string(got) != "When I grow up, I want to be a watermelon" {
		t.Fatalf("decrypted %q, %v", got, err)
	}
	tampered := b64(t, want)
	tampered[len(tampered)-1] ^= 1
	if _, err := DecryptPush(tampered, uaKey, auth); err == nil {
		t.Fatal("a tampered message decrypted")
	}
}

// The largest payload makes a body of exactly 4096 bytes, the most a push
// service must accept.
func TestLargestBodyFits(t *testing.T) {
	ua, _ := ecdh.P256().GenerateKey(nil)
	as, _ := ecdh.P256().GenerateKey(nil)
	body, err := encryptPush(make([]byte, MaxPushPayload), ua.PublicKey(), make([]byte, 16), as, make([]byte, 16))
	if err != nil || len(body) != 4096 {
		t.Fatalf("body of %d bytes, %v", len(body), err)
	}
}

func TestPushTopic(t *testing.T) {
	cases := []struct{ in, want string }{
		{"breaking", "breaking"},
		{"sports_2-x", "sports_2-x"},
		{strings.Repeat("a", 32), strings.Repeat("a", 32)},
	}
	for _, c := range cases {
		if got := pushTopic(c.in); got != c.want {
			t.Errorf("pushTopic(%q) = %q", c.in, got)
		}
	}
	for _, in := range []string{"سياسة", strings.Repeat("a", 33), "a b", "a.b"} {
		got := pushTopic(in)
		if len(got) != 32 || strings.Trim(got, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" || got != pushTopic(in) {
			t.Errorf("pushTopic(%q) = %q", in, got)
		}
	}
	if pushTopic("سياسة") == pushTopic("رياضة") {
		t.Error("two sections share a topic")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"Mon, 30 Nov 2026 12:01:30 GMT", 90 * time.Second, true},
		{"Monday, 30-Nov-26 12:00:10 GMT", 10 * time.Second, true},
		{"Sun, 29 Nov 2026 12:00:00 GMT", 0, true},
		{"99999999999999999999", maxRetryAfter, true},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	b := Backoff{Base: time.Second, Max: time.Minute}
	cases := []struct {
		attempt int
		full    time.Duration
	}{{0, time.Second}, {1, 2 * time.Second}, {2, 4 * time.Second}, {5, 32 * time.Second}, {6, time.Minute}, {40, time.Minute}}
	for _, c := range cases {
		attempt, full := c.attempt, c.full
		for range 50 {
			if d := b.Delay(attempt); d < full/2 || d > full {
				t.Fatalf("Delay(%d) = %s, want within [%s, %s]", attempt, d, full/2, full)
			}
		}
	}
	hinted := &Error{Outcome: Retry, RetryAfter: 10 * time.Minute}
	if d := b.Next(hinted, 0); d != 10*time.Minute {
		t.Errorf("Next ignores the peer's Retry-After: %s", d)
	}
	if d := b.Next(errors.New("x"), 0); d > time.Second {
		t.Errorf("Next without a hint = %s", d)
	}
}

func TestOutcomeOf(t *testing.T) {
	cases := []struct {
		err  error
		want Outcome
	}{
		{nil, Delivered},
		{&Error{Outcome: Gone}, Gone},
		{errors.Join(errors.New("batch"), &Error{Outcome: Retry}), Retry},
		{context.DeadlineExceeded, Retry},
		{context.Canceled, Retry},
		{errors.New("something else"), Failed},
	}
	for _, c := range cases {
		if got := OutcomeOf(c.err); got != c.want {
			t.Errorf("OutcomeOf(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, err := NewTokens(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good := tok.Make("reader@example.com", "unsubscribe", now.Add(time.Hour))
	if email, err := tok.Verify(good, "unsubscribe", now); err != nil || email != "reader@example.com" {
		t.Fatalf("Verify = %q, %v", email, err)
	}
	other, _ := NewTokens(bytes.Repeat([]byte{8}, 32))
	tampered := []byte(good)
	tampered[3] ^= 1
	cases := []struct {
		name, token, purpose string
		at                   time.Time
		want                 error
	}{
		{"other purpose", good, "confirm", now, ErrBadToken},
		{"expired", good, "unsubscribe", now.Add(2 * time.Hour), ErrTokenExpired},
		{"tampered", string(tampered), "unsubscribe", now, ErrBadToken},
		{"other key", other.Make("reader@example.com", "unsubscribe", now.Add(time.Hour)), "unsubscribe", now, ErrBadToken},
		{"empty", "", "unsubscribe", now, ErrBadToken},
		{"no dot", "abc", "unsubscribe", now, ErrBadToken},
		{"not base64", "!!.!!", "unsubscribe", now, ErrBadToken},
	}
	for _, c := range cases {
		if _, err := tok.Verify(c.token, c.purpose, c.at); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := NewTokens([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestWhatsAppAndTelegramText(t *testing.T) {
	a := validAlert()
	a.Title = "عاجل *هام*\nجدا"
	a.Text = "نص <قصير> & \"مقتبس\""
	wa := WhatsAppText(a)
	if want := "*عاجل هام جدا*\n\nنص <قصير> & \"مقتبس\"\n\n" + a.URL; wa != want {
		t.Errorf("WhatsAppText = %q, want %q", wa, want)
	}
	tg := TelegramText(a)
	if want := "<b>عاجل *هام*\nجدا</b>\n\nنص &lt;قصير&gt; &amp; &#34;مقتبس&#34;\n\n" + a.URL; tg != want {
		t.Errorf("TelegramText = %q, want %q", tg, want)
	}
}

// BenchmarkEncryptPush is the cryptographic cost of one push message: a
// fresh key pair, ECDH with the browser's key, HKDF and AES-GCM.
func BenchmarkEncryptPush(b *testing.B) {
	ua, _ := ecdh.P256().GenerateKey(nil)
	payload, _ := validAlert().PushPayload()
	auth, salt := make([]byte, 16), make([]byte, 16)
	for b.Loop() {
		as, err := ecdh.P256().GenerateKey(nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := encryptPush(payload, ua.PublicKey(), auth, as, salt); err != nil {
			b.Fatal(err)
		}
	}
}
