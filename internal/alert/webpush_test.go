package alert_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/alert"
	"khabar/internal/alert/alerttest"
	"khabar/internal/outbound"
)

func breaking() *alert.Alert {
	return &alert.Alert{
		ID: 42, Title: "عاجل: انقطاع الكهرباء عن العاصمة", Text: "انقطعت الكهرباء عن معظم أحياء العاصمة مساء اليوم.",
		URL: "https://khabar.example/news/42/كهرباء", Urgency: alert.UrgencyHigh, Topic: "breaking",
		Created: time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC),
	}
}

func newPush(t *testing.T, fake *alerttest.PushService, g outbound.Guard) *alert.WebPush {
	t.Helper()
	keys, err := alert.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	w, err := alert.NewWebPush(alert.WebPushConfig{Keys: keys, Subject: "mailto:desk@khabar.example", Client: g.Client(fake.RootCAs())})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func subscribe(t *testing.T, fake *alerttest.PushService, n int) []alert.Subscription {
	t.Helper()
	subs := make([]alert.Subscription, n)
	for i := range subs {
		s, err := fake.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		subs[i] = s
	}
	return subs
}

func TestWebPushDelivers(t *testing.T) {
	fake := alerttest.NewPushService()
	defer fake.Close()
	w := newPush(t, fake, outbound.Guard{AllowPrivate: true})
	subs := subscribe(t, fake, 5)
	a := breaking()
	for i, err := range alert.SendAll(t.Context(), w, a, subs, 3) {
		if err != nil {
			t.Fatalf("subscription %d: %v", i, err)
		}
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Fatalf("the push service refused requests: %q", p)
	}
	msgs := fake.Messages()
	if len(msgs) != len(subs) {
		t.Fatalf("%d messages arrived, want %d", len(msgs), len(subs))
	}
	want, _ := a.PushPayload()
	seen := map[string]bool{}
	for _, m := range msgs {
		seen[m.Subscription] = true
		if string(m.Payload) != string(want) {
			t.Errorf("decrypted payload %s, want %s", m.Payload, want)
		}
		var p map[string]string
		if err := json.Unmarshal(m.Payload, &p); err != nil || p["dir"] != "rtl" || p["lang"] != "ar" || p["title"] != a.Title || p["url"] != a.URL {
			t.Errorf("payload %v, %v", p, err)
		}
		h := m.Header
		if h.Get("TTL") != strconv.Itoa(int(alert.DefaultPushTTL/time.Second)) || h.Get("Urgency") != "high" || h.Get("Topic") != "breaking" {
			t.Errorf("headers TTL %q, Urgency %q, Topic %q", h.Get("TTL"), h.Get("Urgency"), h.Get("Topic"))
		}
		if m.Subject != "mailto:desk@khabar.example" {
			t.Errorf("VAPID sub %q", m.Subject)
		}
		if h.Get("Authorization") != msgs[0].Header.Get("Authorization") {
			t.Error("a new VAPID token was signed for the same push service")
		}
	}
	if len(seen) != len(subs) {
		t.Errorf("messages reached %d subscriptions, want %d", len(seen), len(subs))
	}

	// A section slug in Arabic becomes a Topic the push service accepts.
	a.Topic = "اقتصاد"
	a.Urgency = ""
	if err := w.Send(t.Context(), a, subs[0]); err != nil {
		t.Fatal(err)
	}
	last := fake.Messages()[len(subs)]
	if topic := last.Header.Get("Topic"); len(topic) != 32 || last.Header.Get("Urgency") != "normal" {
		t.Errorf("Topic %q, Urgency %q", topic, last.Header.Get("Urgency"))
	}
}

func TestWebPushOutcomes(t *testing.T) {
	fake := alerttest.NewPushService()
	defer fake.Close()
	w := newPush(t, fake, outbound.Guard{AllowPrivate: true})
	// An HTTP date two minutes after the answer is made, not after the
	// test began: the subtests before it may take seconds on a busy
	// machine, and the wait is measured from the answer.
	const later = "HTTP date in 2 minutes"
	cases := []struct {
		status     int
		retryAfter string
		want       alert.Outcome
		wait       time.Duration
	}{
		{http.StatusCreated, "", alert.Delivered, 0},
		{http.StatusNotFound, "", alert.Gone, 0},
		{http.StatusGone, "", alert.Gone, 0},
		{http.StatusTooManyRequests, "30", alert.Retry, 30 * time.Second},
		{http.StatusServiceUnavailable, later, alert.Retry, 2 * time.Minute},
		{http.StatusInternalServerError, "", alert.Retry, 0},
		{http.StatusBadRequest, "", alert.Failed, 0},
		{http.StatusForbidden, "", alert.Failed, 0},
		{http.StatusRequestEntityTooLarge, "", alert.Failed, 0},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.status), func(t *testing.T) {
			fake.Respond = func(string) (int, http.Header) {
				h := http.Header{}
				if c.retryAfter == later {
					h.Set("Retry-After", time.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat))
				} else if c.retryAfter != "" {
					h.Set("Retry-After", c.retryAfter)
				}
				return c.status, h
			}
			err := w.Send(t.Context(), breaking(), subscribe(t, fake, 1)[0])
			if got := alert.OutcomeOf(err); got != c.want {
				t.Fatalf("outcome %s (%v), want %s", got, err, c.want)
			}
			if err == nil {
				return
			}
			e, _ := errors.AsType[*alert.Error](err)
			if e.Status != c.status || e.Channel != "webpush" {
				t.Errorf("error %+v", e)
			}
			if d := e.RetryAfter - c.wait; d < -2*time.Second || d > 0 {
				t.Errorf("RetryAfter %s, want %s", e.RetryAfter, c.wait)
			}
			if next := alert.DefaultBackoff.Next(err, 0); next < e.RetryAfter {
				t.Errorf("Backoff.Next %s is sooner than the push service asked", next)
			}
		})
	}
	fake.Respond = nil
	if p := fake.Problems(); len(p) > 0 {
		t.Fatalf("the push service refused requests: %q", p)
	}
}

func TestWebPushRefusals(t *testing.T) {
	fake := alerttest.NewPushService()
	defer fake.Close()
	sub := subscribe(t, fake, 1)[0]
	strict := newPush(t, fake, outbound.Guard{})
	open := newPush(t, fake, outbound.Guard{AllowPrivate: true})
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(fake.URL(), "https://"))
	big := breaking() // every field within its limit, together too large
	big.Title = strings.Repeat("ع", 200)
	big.Text = strings.Repeat("خ", 1000)
	big.URL += "/" + strings.Repeat("x", 1500)
	cases := []struct {
		name string
		w    *alert.WebPush
		a    *alert.Alert
		sub  alert.Subscription
		want error
	}{
		// The guard works at dial time, whatever the name resolved to.
		{"loopback at dial", strict, breaking(), sub, outbound.ErrForbiddenAddress},
		{"localhost at dial", strict, breaking(), alert.Subscription{Endpoint: "https://localhost:" + port + "/push/1", P256dh: sub.P256dh, Auth: sub.Auth}, outbound.ErrForbiddenAddress},
		{"payload over the limit", open, big, sub, alert.ErrPayloadTooLarge},
		{"invalid alert", open, &alert.Alert{Title: "x", URL: "javascript:alert(1)"}, sub, nil},
		{"http endpoint", open, breaking(), alert.Subscription{Endpoint: "http://" + host + ":" + port + "/push/1", P256dh: sub.P256dh, Auth: sub.Auth}, nil},
		{"broken key", open, breaking(), alert.Subscription{Endpoint: sub.Endpoint, P256dh: "AAAA", Auth: sub.Auth}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.w.Send(t.Context(), c.a, c.sub)
			if alert.OutcomeOf(err) != alert.Failed || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Send = %v, want a permanent failure (%v)", err, c.want)
			}
		})
	}
	if n := fake.Received(); n != 0 {
		t.Fatalf("%d requests reached the push service", n)
	}
}

func TestWebPushTransportFailures(t *testing.T) {
	fake := alerttest.NewPushService()
	w := newPush(t, fake, outbound.Guard{AllowPrivate: true})
	sub := subscribe(t, fake, 1)[0]

	// A push service that accepts and never answers: the caller's deadline
	// ends the wait, and the delivery is worth retrying.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	hung := sub
	hung.Endpoint = "https://" + ln.Addr().String() + "/push/1"
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = w.Send(ctx, breaking(), hung)
	if alert.OutcomeOf(err) != alert.Retry || time.Since(start) > 5*time.Second {
		t.Fatalf("hanging push service: %v after %s", err, time.Since(start))
	}

	// A push service that is down.
	fake.Close()
	if err := w.Send(t.Context(), breaking(), sub); alert.OutcomeOf(err) != alert.Retry {
		t.Fatalf("push service down: %v", err)
	}
}

func TestVAPIDKeys(t *testing.T) {
	k, err := alert.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	back, err := alert.ParseVAPIDKeys(k.PrivateKey())
	if err != nil || back.PublicKey() != k.PublicKey() || back.PrivateKey() != k.PrivateKey() {
		t.Fatalf("round trip: %v", err)
	}
	if raw, _ := base64.RawURLEncoding.DecodeString(k.PublicKey()); len(raw) != 65 || raw[0] != 4 {
		t.Errorf("public key is not an uncompressed P-256 point: %x", raw)
	}
	if _, err := alert.ParseVAPIDKeys(k.PrivateKey() + "=="); err != nil {
		t.Errorf("padded key refused: %v", err)
	}
	for _, bad := range []string{"", "not base64!", "AAAA", strings.Repeat("A", 43), strings.Repeat("_", 43)} {
		if _, err := alert.ParseVAPIDKeys(bad); err == nil {
			t.Errorf("ParseVAPIDKeys(%q) passed", bad)
		}
	}
	for _, subject := range []string{"", "desk@khabar.example", "http://khabar.example"} {
		if _, err := alert.NewWebPush(alert.WebPushConfig{Keys: k, Subject: subject}); err == nil {
			t.Errorf("subject %q accepted", subject)
		}
	}
}

// A real browser's subscription, with keys from RFC 8291's example.
const browserJSON = `{"endpoint":"https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bHqjZxM0VImWWqDRN7U0a3AycjUf4O-byuxb_wJsKRaKvV_iKw56s16ekq6FUqoCF7k2nqxoMOIzW7aoWr1P-rWGp7ZxUv2x9Rl1YpVRNZGtoE0VDRmIEhbG0m-BDmolOdYsRVX","expirationTime":null,"keys":{"p256dh":"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4=","auth":"BTBZMqHH6r4Tts7J_aSIgg=="}}`

// public resolves every name to a public address, as DNS would for a real
// push service, so the tests need no network.
var public = outbound.Guard{LookupIP: func(context.Context, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("142.250.74.10")}, nil
}}

func TestParseSubscription(t *testing.T) {
	s, err := alert.ParseSubscription(t.Context(), []byte(browserJSON), public)
	if err != nil {
		t.Fatal(err)
	}
	if s.P256dh != "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4" || s.Auth != "BTBZMqHH6r4Tts7J_aSIgg" || !strings.HasPrefix(s.Endpoint, "https://fcm.googleapis.com/") {
		t.Fatalf("parsed %+v", s)
	}
	with := func(endpoint, p256dh, auth string) string {
		b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "keys": map[string]string{"p256dh": p256dh, "auth": auth}})
		return string(b)
	}
	const p, a, e = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", "BTBZMqHH6r4Tts7J_aSIgg", "https://push.example.com/x"
	offCurve := base64.RawURLEncoding.EncodeToString(append([]byte{4}, make([]byte, 64)...))
	bad := map[string]string{
		"empty":            "",
		"not JSON":         "endpoint=https://x",
		"truncated":        browserJSON[:60],
		"trailing data":    browserJSON + "{}",
		"array":            "[]",
		"no keys":          `{"endpoint":"https://push.example.com/x"}`,
		"keys not strings": `{"endpoint":"https://push.example.com/x","keys":{"p256dh":1,"auth":2}}`,
		"short p256dh":     with(e, "BCVxsr7N", a),
		"p256dh off curve": with(e, offCurve, a),
		"p256dh not b64":   with(e, strings.Repeat("*", 87), a),
		"short auth":       with(e, p, "BTBZMqHH6r4Tts7J_aSI"),
		"http endpoint":    with("http://push.example.com/x", p, a),
		"no endpoint":      with("", p, a),
		"loopback":         with("https://127.0.0.1/x", p, a),
		"private":          with("https://10.0.0.8/x", p, a),
		"link-local":       with("https://169.254.169.254/x", p, a),
		"localhost":        with("https://localhost/x", p, a),
		"long endpoint":    with(e+strings.Repeat("x", 2100), p, a),
		"huge":             with(e, p, a) + strings.Repeat(" ", 5000),
	}
	for name, in := range bad {
		if s, err := alert.ParseSubscription(t.Context(), []byte(in), public); err == nil {
			t.Errorf("%s: parsed %+v", name, s)
		}
	}
}

func FuzzParseSubscription(f *testing.F) {
	f.Add([]byte(browserJSON))
	f.Add([]byte(`{"endpoint":"https://127.0.0.1/x","keys":{"p256dh":"","auth":""}}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := alert.ParseSubscription(t.Context(), data, public)
		if err != nil {
			return
		}
		// Whatever passed must be usable by the sender.
		if !strings.HasPrefix(s.Endpoint, "https://") {
			t.Fatalf("endpoint %q passed", s.Endpoint)
		}
		again, err := json.Marshal(map[string]any{"endpoint": s.Endpoint, "keys": map[string]string{"p256dh": s.P256dh, "auth": s.Auth}})
		if err != nil {
			t.Fatal(err)
		}
		if s2, err := alert.ParseSubscription(t.Context(), again, public); err != nil || s2 != s {
			t.Fatalf("does not parse again: %+v, %v", s2, err)
		}
	})
}

// The fake push service must refuse what a real one refuses, or the tests
// above would prove little.
func TestPushServiceRefusesBadRequests(t *testing.T) {
	fake := alerttest.NewPushService()
	defer fake.Close()
	fake.Respond = func(string) (int, http.Header) { return http.StatusAccepted, nil }
	sub := subscribe(t, fake, 1)[0]
	client := outbound.Guard{AllowPrivate: true}.Client(fake.RootCAs())
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub := func(k *ecdsa.PrivateKey) string {
		b, _ := k.PublicKey.Bytes()
		return base64.RawURLEncoding.EncodeToString(b)
	}
	jwt := func(k *ecdsa.PrivateKey, claims string) string {
		signed := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
		d := sha256.Sum256([]byte(signed))
		r, s, _ := ecdsa.Sign(rand.Reader, k, d[:])
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	soon := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	claims := func(aud, exp, sub string) string {
		return `{"aud":"` + aud + `","exp":` + exp + `,"sub":"` + sub + `"}`
	}
	good := "vapid t=" + jwt(key, claims(fake.URL(), soon, "mailto:a@b.c")) + ", k=" + pub(key)
	goodParts := strings.Split(strings.TrimPrefix(strings.Split(good, ",")[0], "vapid t="), ".")
	forged := "vapid t=" + goodParts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(claims(fake.URL(), soon, "mailto:evil@b.c"))) + "." + goodParts[2] + ", k=" + pub(key)
	cases := []struct {
		name   string
		edit   func(h http.Header)
		status int
	}{
		{"good", func(http.Header) {}, http.StatusAccepted},
		{"other audience", func(h http.Header) {
			h.Set("Authorization", "vapid t="+jwt(key, claims("https://push.example.com", soon, "mailto:a@b.c"))+", k="+pub(key))
		}, http.StatusForbidden},
		{"expired", func(h http.Header) {
			h.Set("Authorization", "vapid t="+jwt(key, claims(fake.URL(), strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10), "mailto:a@b.c"))+", k="+pub(key))
		}, http.StatusForbidden},
		{"over 24 hours", func(h http.Header) {
			h.Set("Authorization", "vapid t="+jwt(key, claims(fake.URL(), strconv.FormatInt(time.Now().Add(25*time.Hour).Unix(), 10), "mailto:a@b.c"))+", k="+pub(key))
		}, http.StatusForbidden},
		{"no contact", func(h http.Header) {
			h.Set("Authorization", "vapid t="+jwt(key, claims(fake.URL(), soon, "a@b.c"))+", k="+pub(key))
		}, http.StatusForbidden},
		{"other key", func(h http.Header) { h.Set("Authorization", strings.Replace(good, pub(key), pub(other), 1)) }, http.StatusForbidden},
		{"forged claims", func(h http.Header) { h.Set("Authorization", forged) }, http.StatusForbidden},
		{"no token", func(h http.Header) { h.Del("Authorization") }, http.StatusForbidden},
		{"old encoding", func(h http.Header) { h.Set("Content-Encoding", "aesgcm") }, http.StatusBadRequest},
		{"no TTL", func(h http.Header) { h.Del("TTL") }, http.StatusBadRequest},
		{"bad urgency", func(h http.Header) { h.Set("Urgency", "urgent") }, http.StatusBadRequest},
		{"bad topic", func(h http.Header) { h.Set("Topic", "عاجل") }, http.StatusBadRequest},
	}
	post := func(t *testing.T, edit func(http.Header)) int {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, sub.Endpoint, strings.NewReader("not encrypted for the browser"))
		req.Header.Set("Content-Encoding", "aes128gcm")
		req.Header.Set("TTL", "60")
		req.Header.Set("Authorization", good)
		edit(req.Header)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := post(t, c.edit); got != c.status {
				t.Fatalf("status %d, want %d", got, c.status)
			}
		})
	}
	// Accepting the message means decrypting it, which garbage fails.
	fake.Respond = nil
	if got := post(t, func(http.Header) {}); got != http.StatusBadRequest {
		t.Errorf("an undecryptable message got %d", got)
	}
	if n := len(fake.Problems()); n != len(cases) {
		t.Errorf("%d problems recorded, want %d", n, len(cases))
	}
}
