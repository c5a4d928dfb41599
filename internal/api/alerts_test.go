package api

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestAutomationTokensAndRoles(t *testing.T) {
	storetest.Each(t, testAutomationTokensAndRoles)
}

// testAutomationTokensAndRoles: the ticker and alert endpoints want a
// valid bearer token whose user may do the thing, and check what they are
// sent; what they accept is stored in the token user's name.
func testAutomationTokensAndRoles(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	editorUser, editor := f.bearer(t, auth.RoleEditor)
	_, writer := f.bearer(t, auth.RoleWriter)
	cases := []struct {
		name, path, body string
		hdr              http.Header
		status           int
	}{
		{"ticker without token", "/api/v1/ticker", `{"text":"x"}`, nil, 401},
		{"ticker with a bad token", "/api/v1/ticker", `{"text":"x"}`, http.Header{"Authorization": {"Bearer nope"}}, 401},
		{"ticker as writer", "/api/v1/ticker", `{"text":"x"}`, writer, 403},
		{"ticker", "/api/v1/ticker", `{"text":"عاجل: زلزال بقوة 5 درجات","url":"/news/1"}`, editor, 201},
		{"ticker in the past", "/api/v1/ticker", `{"text":"x","expires_at":"2001-01-01T00:00:00Z"}`, editor, 422},
		{"ticker empty", "/api/v1/ticker", `{"text":""}`, editor, 422},
		{"ticker broken JSON", "/api/v1/ticker", `{"text":`, editor, 400},
		{"alert as writer", "/api/v1/alerts", `{"title":"x","url":"https://khabar.test/news/1"}`, writer, 403},
		{"alert", "/api/v1/alerts", `{"title":"عاجل من الوكالة","url":"https://khabar.test/news/1","channels":["telegram"]}`, editor, 201},
		{"alert with an unknown topic", "/api/v1/alerts", `{"title":"x","url":"https://khabar.test/news/1","topic":"mars"}`, editor, 422},
		{"alert over the push payload limit", "/api/v1/alerts", `{"title":"` + strings.Repeat("ع", 200) + `","url":"https://khabar.test/news/1?` + strings.Repeat("a", 1800) + `","text":"` + strings.Repeat("ن", 1000) + `","channels":["push"]}`, editor, 422},
		{"alert with javascript url", "/api/v1/alerts", `{"title":"x","url":"javascript:alert(1)"}`, editor, 422},
	}
	for _, c := range cases {
		r, out := f.postJSON(t, "POST", c.path, c.body, c.hdr)
		if r.Status != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, r.Status, out, c.status)
		}
		if r.Status == 401 && r.Header.Get("WWW-Authenticate") != `Bearer realm="khabar"` {
			t.Errorf("%s: 401 without a WWW-Authenticate challenge", c.name)
		}
	}
	// What was accepted is stored, once, as the editor's.
	items, err := s.ListTicker(ctx, store.OnShow, time.Now())
	if err != nil || len(items) != 1 || items[0].Text != "عاجل: زلزال بقوة 5 درجات" || items[0].URL != "/news/1" {
		t.Errorf("ticker: %+v %v", items, err)
	}
	alerts, err := s.ListAlerts(ctx, 5, 0)
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts: %+v %v", alerts, err)
	}
	if a := alerts[0]; a.Title != "عاجل من الوكالة" || a.Urgency != "high" || a.Topic != "breaking" || !slices.Equal(a.Channels, []string{"telegram"}) || a.CreatedBy.Name != editorUser.Name {
		t.Errorf("alert: %+v", a)
	}
	// Revoked tokens stop working.
	toks, err := s.ListAPITokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if tk.UserID == editorUser.ID {
			if err := s.RevokeAPIToken(ctx, tk.ID, news.Actor{Name: "مدير"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r, _ := f.postJSON(t, "POST", "/api/v1/ticker", `{"text":"x"}`, editor); r.Status != 401 {
		t.Errorf("revoked token: %d", r.Status)
	}
}

func TestAlertDefaultsAndAnswer(t *testing.T) {
	storetest.Each(t, testAlertDefaultsAndAnswer)
}

// testAlertDefaultsAndAnswer: an alert with only a title and a link goes
// to every configured channel, urgent, to every subscriber; one for a
// section goes to that section's; the answer carries the WhatsApp text.
func testAlertDefaultsAndAnswer(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, editor := f.bearer(t, auth.RoleEditor)
	r, out := f.postJSON(t, "POST", "/api/v1/alerts", `{"title":"عاجل","url":"https://khabar.test/news/1"}`, editor)
	if r.Status != 201 || out["whatsapp"] != "*عاجل*\n\nhttps://khabar.test/news/1" {
		t.Fatalf("alert: %d %v", r.Status, out)
	}
	a, err := s.GetAlert(context.Background(), int64(out["id"].(float64)))
	if err != nil || a.Urgency != "high" || a.Topic != "breaking" || !slices.Equal(a.Channels, []string{"push", "telegram"}) {
		t.Fatalf("stored alert: %+v %v", a, err)
	}
	r, out = f.postJSON(t, "POST", "/api/v1/alerts", `{"title":"اقتصاد","url":"https://khabar.test/news/2","topic":"economy","urgency":"normal","channels":["push"]}`, editor)
	if r.Status != 201 {
		t.Fatalf("section alert: %d %v", r.Status, out)
	}
	if a, err := s.GetAlert(context.Background(), int64(out["id"].(float64))); err != nil || a.Topic != "economy" || a.Urgency != "normal" {
		t.Errorf("section alert: %+v %v", a, err)
	}
	for name, body := range map[string]string{
		"unconfigured channel": `{"title":"x","url":"https://khabar.test/news/1","channels":["email"]}`,
		"bad urgency":          `{"title":"x","url":"https://khabar.test/news/1","urgency":"panic"}`,
		"no title":             `{"url":"https://khabar.test/news/1"}`,
	} {
		if r, out := f.postJSON(t, "POST", "/api/v1/alerts", body, editor); r.Status != 422 || out["error"] != "invalid" {
			t.Errorf("%s: %d %v", name, r.Status, out)
		}
	}
	if r, _ := f.postJSON(t, "POST", "/api/v1/alerts", `{"title":"`+strings.Repeat("x", 20<<10)+`"}`, editor); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized alert: %d", r.Status)
	}
	if list, _ := s.ListAlerts(context.Background(), 10, 0); len(list) != 2 {
		t.Errorf("%d alerts stored, want the two accepted", len(list))
	}
}

// goodSubscription is a browser's PushSubscription with a public endpoint
// and keys of its own, as a browser makes them.
var goodSubscription = func() string {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return `{"endpoint":"https://push.example.com/x","keys":{"p256dh":"` + enc(key.PublicKey().Bytes()) + `","auth":"` + enc(make([]byte, 16)) + `"}}`
}()

func TestPushSubscriptions(t *testing.T) {
	storetest.Each(t, testPushSubscriptions)
}

// testPushSubscriptions: a browser gets the key, subscribes to topics it
// chose (breaking news when it chose none), changes them, and leaves.
func testPushSubscriptions(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	r := f.client(t).Get("/api/v1/push/key")
	if out := decodeJSON(t, "/api/v1/push/key", r); r.Status != 200 || out["key"] != f.pushKey || !strings.HasPrefix(r.Header.Get("Cache-Control"), "public") {
		t.Fatalf("push key: %d %v %q", r.Status, out, r.Header.Get("Cache-Control"))
	}
	subscribed := func(topic string) []string {
		t.Helper()
		subs, err := s.PushSubscriptions(ctx, topic, 0, 1<<40, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range subs {
			out = append(out, p.Endpoint)
		}
		return out
	}
	for _, c := range []struct {
		body, topics      string
		breaking, economy int // the subscriptions to each topic after it
	}{
		{`{"subscription":` + goodSubscription + `}`, "breaking", 1, 0},
		{`{"subscription":` + goodSubscription + `,"topics":["economy","economy"]}`, "economy", 0, 1},
		{`{"subscription":` + goodSubscription + `,"topics":["breaking","economy"]}`, "breaking economy", 1, 1},
	} {
		r, out := f.postJSON(t, "POST", "/api/v1/push/subscriptions", c.body, nil)
		if got, _ := out["topics"].([]any); r.Status != http.StatusCreated || len(got) != len(strings.Fields(c.topics)) {
			t.Fatalf("subscribe to %s: %d %v", c.topics, r.Status, out)
		}
		// The same browser again: its topics change, it is not added twice.
		if b, e := subscribed("breaking"), subscribed("economy"); len(b) != c.breaking || len(e) != c.economy {
			t.Fatalf("after subscribing to %s: breaking %v, economy %v", c.topics, b, e)
		}
	}
	if r, out := f.postJSON(t, "DELETE", "/api/v1/push/subscriptions", `{}`, nil); r.Status != 400 {
		t.Errorf("unsubscribe without an endpoint: %d %v", r.Status, out)
	}
	if r := f.client(t).Do("DELETE", "/api/v1/push/subscriptions", strings.NewReader(`{"endpoint":"https://push.example.com/x"}`), http.Header{"Content-Type": {"application/json"}}); r.Status != http.StatusNoContent {
		t.Fatalf("unsubscribe: %d %s", r.Status, r.Body)
	}
	if b, e := subscribed("breaking"), subscribed("economy"); len(b)+len(e) != 0 {
		t.Errorf("still subscribed after leaving: %v %v", b, e)
	}
	if r := f.client(t).Do("DELETE", "/api/v1/push/subscriptions", strings.NewReader(`{"endpoint":"https://push.example.com/x"}`), crossSite); r.Status != 403 {
		t.Errorf("cross-origin unsubscribe: %d", r.Status)
	}
}

func TestPushSubscriptionBadInput(t *testing.T) {
	storetest.Each(t, testPushSubscriptionBadInput)
}

// testPushSubscriptionBadInput: with private endpoints refused, as in
// production, what browsers never send is refused, and nothing is stored.
func testPushSubscriptionBadInput(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	good := goodSubscription
	cases := []struct {
		name, body string
		status     int
		want       string // in the error, which says what was wrong
	}{
		{"broken JSON", `{"subscription":`, 400, "invalid JSON"},
		{"no subscription", `{}`, 400, "malformed JSON"},
		{"http endpoint", `{"subscription":{"endpoint":"http://push.example.com/x","keys":{"p256dh":"x","auth":"y"}}}`, 400, ""},
		{"loopback endpoint", `{"subscription":` + strings.Replace(good, "push.example.com", "127.0.0.1", 1) + `}`, 400, "not public"},
		{"private endpoint", `{"subscription":` + strings.Replace(good, "push.example.com", "10.1.2.3", 1) + `}`, 400, "not public"},
		{"metadata endpoint", `{"subscription":` + strings.Replace(good, "push.example.com", "169.254.169.254", 1) + `}`, 400, "not public"},
		{"local name", `{"subscription":` + strings.Replace(good, "push.example.com", "push.localhost", 1) + `}`, 400, "not public"},
		{"short keys", `{"subscription":{"endpoint":"https://push.example.com/x","keys":{"p256dh":"AAAA","auth":"AAAA"}}}`, 400, "p256dh"},
		{"unknown topic", `{"subscription":` + good + `,"topics":["nowhere"]}`, 400, "unknown topic"},
		{"huge", `{"subscription":"` + strings.Repeat("x", 9000) + `"}`, 413, ""},
	}
	for _, c := range cases {
		r, out := f.postJSON(t, "POST", "/api/v1/push/subscriptions", c.body, nil)
		if msg, _ := out["error"].(string); r.Status != c.status || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %v, want %d with %q", c.name, r.Status, out, c.status, c.want)
		}
	}
	if r, _ := f.postJSON(t, "POST", "/api/v1/push/subscriptions", `{"subscription":`+good+`}`, crossSite); r.Status != 403 {
		t.Errorf("cross-origin subscription: %d", r.Status)
	}
	if subs, err := s.PushSubscriptions(context.Background(), "breaking", 0, 1<<40, 10); err != nil || len(subs) != 0 {
		t.Errorf("refused subscriptions were stored: %v %v", subs, err)
	}
}

func TestPushSubscriptionLookupFailure(t *testing.T) {
	storetest.Each(t, testPushSubscriptionLookupFailure)
}

// testPushSubscriptionLookupFailure: an endpoint whose host does not
// resolve is refused with that reason alone; what the resolver said,
// which names its address inside our network, goes to the log.
func testPushSubscriptionLookupFailure(t *testing.T, s *store.Store) {
	var log bytes.Buffer
	f := newFixture(t, s, func(o *Options) {
		o.Log = slog.New(slog.NewTextHandler(&log, nil))
		o.Guard.LookupIP = func(_ context.Context, host string) ([]netip.Addr, error) {
			return nil, &net.DNSError{Err: "no such host", Name: host, Server: "10.255.255.53:53", IsNotFound: true}
		}
	})
	r, out := f.postJSON(t, "POST", "/api/v1/push/subscriptions", `{"subscription":`+goodSubscription+`}`, nil)
	msg, _ := out["error"].(string)
	if r.Status != http.StatusBadRequest || !strings.Contains(msg, "push.example.com does not resolve") || strings.Contains(r.Body, "10.255.255.53") {
		t.Errorf("unresolvable endpoint: %d %s, want 400 naming the host only", r.Status, r.Body)
	}
	if !strings.Contains(log.String(), "10.255.255.53") || !strings.Contains(log.String(), "push.example.com") {
		t.Errorf("the resolver's answer was not logged: %q", log.String())
	}
}
