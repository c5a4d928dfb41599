package alert_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"khabar/internal/alert"
	"khabar/internal/outbound"
)

// partner is a webhook receiver: it verifies every request as the doc
// comment tells partners to, and answers with the status the test sets.
type partner struct {
	secret string
	mu     sync.Mutex
	got    []map[string]any
	ids    []string
	status int
	header http.Header
}

func (p *partner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// By hand first, then with the helper partners in Go may use.
	mac := hmac.New(sha256.New, []byte(p.secret))
	mac.Write([]byte(r.Header.Get(alert.HeaderTimestamp) + "." + string(body)))
	if r.Header.Get(alert.HeaderSignature) != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if err := alert.VerifyWebhook(p.secret, r.Header, body, time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var m map[string]any
	if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &m) != nil {
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, m)
	p.ids = append(p.ids, r.Header.Get(alert.HeaderDelivery))
	for k, v := range p.header {
		w.Header()[k] = v
	}
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
}

func TestWebhook(t *testing.T) {
	p := &partner{secret: "s3cret-shared-with-the-partner"}
	srv := httptest.NewTLSServer(p)
	defer srv.Close()
	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	hook := alert.NewWebhook(outbound.Guard{AllowPrivate: true}.Client(roots))
	target := alert.WebhookTarget{URL: srv.URL + "/hooks/khabar", Secret: p.secret}
	a := breaking()
	if err := hook.Send(t.Context(), a, target); err != nil {
		t.Fatal(err)
	}
	if err := hook.Send(t.Context(), a, target); err != nil {
		t.Fatal(err)
	}
	got := p.got[0]
	if got["title"] != a.Title || got["url"] != a.URL || got["id"] != float64(42) || got["urgency"] != "high" || got["dir"] != "rtl" || got["created"] != "2026-11-30T18:00:00Z" {
		t.Errorf("partner received %v", got)
	}
	if p.ids[0] == "" || p.ids[0] != p.ids[1] {
		t.Errorf("delivery ids %q: one alert to one URL must keep its id", p.ids)
	}

	cases := []struct {
		status int
		header http.Header
		want   alert.Outcome
		wait   time.Duration
	}{
		{http.StatusNoContent, nil, alert.Delivered, 0},
		{http.StatusGone, nil, alert.Gone, 0},
		{http.StatusNotFound, nil, alert.Failed, 0},
		{http.StatusUnprocessableEntity, nil, alert.Failed, 0},
		{http.StatusTooManyRequests, http.Header{"Retry-After": {"120"}}, alert.Retry, 2 * time.Minute},
		{http.StatusBadGateway, nil, alert.Retry, 0},
		{http.StatusFound, http.Header{"Location": {"https://169.254.169.254/"}}, alert.Failed, 0},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.status), func(t *testing.T) {
			p.mu.Lock()
			p.status, p.header = c.status, c.header
			p.mu.Unlock()
			err := hook.Send(t.Context(), a, target)
			if alert.OutcomeOf(err) != c.want {
				t.Fatalf("Send = %v, want %s", err, c.want)
			}
			if e, ok := errors.AsType[*alert.Error](err); ok && e.RetryAfter != c.wait {
				t.Errorf("RetryAfter %s, want %s", e.RetryAfter, c.wait)
			}
		})
	}

	// A partner that has another secret refuses us; we take that as
	// permanent, since a retry would be signed the same way.
	p.mu.Lock()
	p.status = 0
	p.mu.Unlock()
	if err := hook.Send(t.Context(), a, alert.WebhookTarget{URL: target.URL, Secret: "wrong"}); alert.OutcomeOf(err) != alert.Failed {
		t.Fatalf("wrong secret: %v", err)
	}

	// The guard: no private address, no http, no secretless hook.
	strict := alert.NewWebhook(outbound.Guard{}.Client(roots))
	for _, bad := range []alert.WebhookTarget{target, {URL: "http://partner.example.com/", Secret: "x"}, {URL: "https://partner.example.com/"}} {
		if err := strict.Send(t.Context(), a, bad); alert.OutcomeOf(err) != alert.Failed {
			t.Errorf("target %+v: %v", bad, err)
		}
	}
}

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"id":1,"title":"عاجل"}`)
	now := time.Now()
	sign := func(secret string, at time.Time, body []byte) http.Header {
		ts := strconv.FormatInt(at.Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "." + string(body)))
		return http.Header{alert.HeaderTimestamp: {ts}, alert.HeaderSignature: {"sha256=" + hex.EncodeToString(mac.Sum(nil))}}
	}
	if err := alert.VerifyWebhook("k", sign("k", now, body), body, now); err != nil {
		t.Fatalf("a good request: %v", err)
	}
	tampered := bytes.Replace(body, []byte("1"), []byte("2"), 1)
	replayed := sign("k", now.Add(-10*time.Minute), body)
	swapped := sign("k", now, body)
	swapped.Set(alert.HeaderTimestamp, strconv.FormatInt(now.Unix()-1, 10))
	cases := map[string]struct {
		h    http.Header
		body []byte
	}{
		"tampered body":   {sign("k", now, body), tampered},
		"other secret":    {sign("other", now, body), body},
		"replayed":        {replayed, body},
		"from the future": {sign("k", now.Add(10*time.Minute), body), body},
		"timestamp moved": {swapped, body},
		"no headers":      {http.Header{}, body},
		"bad timestamp":   {http.Header{alert.HeaderTimestamp: {"yesterday"}, alert.HeaderSignature: {"sha256=00"}}, body},
	}
	for name, c := range cases {
		if err := alert.VerifyWebhook("k", c.h, c.body, now); !errors.Is(err, alert.ErrBadSignature) {
			t.Errorf("%s: VerifyWebhook = %v", name, err)
		}
	}
}
