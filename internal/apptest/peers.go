package apptest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/alert"
	"khabar/internal/alert/alerttest"
	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/outbound"
)

// Peers are the outside services an outlet's alerts go to, played by
// in-process servers that speak their protocols and check what they get.
type Peers struct {
	Push     *alerttest.PushService
	SMTP     *alerttest.SMTPServer
	Telegram *httptest.Server
	Webhook  *httptest.Server

	Mu            sync.Mutex
	TelegramPosts []map[string]any
	Hooks         [][]byte
	HookErrs      []error
}

const (
	TelegramToken = "123456789:AAE_test-token-for-the-fake-bot-api"
	HookSecret    = "a shared secret for partners"
)

// StartPeers starts the peers on loopback; they stop with the test.
func StartPeers(t *testing.T) *Peers {
	t.Helper()
	p := &Peers{Push: alerttest.NewPushService()}
	t.Cleanup(p.Push.Close)
	var err error
	if p.SMTP, err = alerttest.NewSMTPServer(alerttest.SMTPOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.SMTP.Close)
	p.Telegram = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bot"+TelegramToken+"/sendMessage" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
			return
		}
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		p.Mu.Lock()
		p.TelegramPosts = append(p.TelegramPosts, m)
		p.Mu.Unlock()
		io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
	}))
	t.Cleanup(p.Telegram.Close)
	p.Webhook = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := alert.VerifyWebhook(HookSecret, r.Header, body, time.Now())
		p.Mu.Lock()
		p.Hooks, p.HookErrs = append(p.Hooks, body), append(p.HookErrs, err)
		p.Mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(p.Webhook.Close)
	return p
}

// Config points a node's channels at the peers.
func (p *Peers) Config(c *config.Config) {
	c.BaseURL = "https://khabar.test"
	c.OutboundAllowPrivate = true
	c.TelegramToken, c.TelegramChat, c.TelegramAPI = TelegramToken, "@khabar_test", p.Telegram.URL
	c.SMTPAddr, c.SMTPFrom = p.SMTP.Addr, "خبر <alerts@khabar.test>"
	c.Webhooks, c.WebhookSecret = p.Webhook.URL, HookSecret
}

// TrustPush makes the node's Web Push and webhooks trust the test
// servers' certificates, keeping the VAPID keys the node made.
func (p *Peers) TrustPush(t *testing.T, n *Node) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(p.Webhook.Certificate())
	n.Alerts.Webhook = alert.NewWebhook(outbound.Guard{AllowPrivate: true}.Client(roots))
	private, err := n.Store.Secret(context.Background(), "vapid_private_key", nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := alert.ParseVAPIDKeys(private)
	if err != nil {
		t.Fatal(err)
	}
	if n.Alerts.Push, err = alert.NewWebPush(alert.WebPushConfig{Keys: keys, Subject: "https://khabar.test",
		Client: outbound.Guard{AllowPrivate: true}.Client(p.Push.RootCAs())}); err != nil {
		t.Fatal(err)
	}
}

// MailText is a message's headers and its decoded text parts.
func MailText(t *testing.T, data []byte) (mail.Header, string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	mr := multipart.NewReader(m.Body, params["boundary"])
	var text strings.Builder
	for {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, part))
		text.Write(b)
	}
	return m.Header, text.String()
}

// WaitAlert waits for alert id to have been sent on every channel.
func (n *Node) WaitAlert(t *testing.T, id int64) *news.Alert {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a, err := n.Store.GetAlert(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		done := len(a.Progress) > 0
		for _, p := range a.Progress {
			done = done && p.Done
		}
		if done {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("alert %d not delivered: %+v", id, a.Progress)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ConfirmLink finds the confirmation link in a subscription e-mail.
var ConfirmLink = regexp.MustCompile(`https://khabar\.test(/alerts/confirm\?t=[A-Za-z0-9_.-]+)`)
