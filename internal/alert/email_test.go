package alert_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"khabar/internal/alert"
	"khabar/internal/alert/alerttest"
)

var texts = alert.EmailTexts{ReadMore: "اقرأ الخبر", Unsubscribe: "إلغاء الاشتراك"}

func newEmail(t *testing.T, srv *alerttest.SMTPServer, edit func(*alert.EmailConfig)) *alert.Email {
	t.Helper()
	cfg := alert.EmailConfig{Addr: srv.Addr, From: "خبر العاجل <alerts@khabar.example>", RootCAs: srv.RootCAs, Timeout: 2 * time.Second,
		Texts: func() alert.EmailTexts { return texts }}
	if edit != nil {
		edit(&cfg)
	}
	e, err := alert.NewEmail(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func reader(addr string) alert.EmailRecipient {
	return alert.EmailRecipient{
		Address:           addr,
		UnsubscribeURL:    "https://khabar.example/alerts/unsubscribe?t=abc.def",
		UnsubscribeMailto: "mailto:unsubscribe@khabar.example?subject=abc.def",
	}
}

// parsed is an email as a mail program reads it.
type parsed struct {
	header      mail.Header
	subject     string
	text, html  string
	contentType string
}

func parseMail(t *testing.T, data []byte) parsed {
	t.Helper()
	for i, line := range strings.Split(string(data), "\n") {
		if len(line) > 998 {
			t.Errorf("line %d is %d bytes long", i, len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{header: msg.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("subject: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := parts.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if part.Header.Get("Content-Transfer-Encoding") != "base64" {
			t.Fatalf("part encoded as %q", part.Header.Get("Content-Transfer-Encoding"))
		}
		body, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, part))
		if err != nil {
			t.Fatal(err)
		}
		switch part.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			p.text = string(body)
		case "text/html; charset=utf-8":
			p.html = string(body)
		default:
			t.Fatalf("part of type %q", part.Header.Get("Content-Type"))
		}
	}
	return p
}

// TestEmailTextsFollowTheLanguage: the fixed words are read for each
// message, so an outlet switched to English sends English links.
func TestEmailTextsFollowTheLanguage(t *testing.T) {
	srv, err := alerttest.NewSMTPServer(alerttest.SMTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	now := texts
	e := newEmail(t, srv, func(c *alert.EmailConfig) { c.Texts = func() alert.EmailTexts { return now } })
	for i, want := range []alert.EmailTexts{texts, {ReadMore: "Read the story", Unsubscribe: "Unsubscribe"}} {
		now = want
		if err := e.Send(t.Context(), breaking(), reader("one@example.com")); err != nil {
			t.Fatal(err)
		}
		mails := srv.Mails()
		if p := parseMail(t, mails[len(mails)-1].Data); !strings.Contains(p.text, want.ReadMore) || !strings.Contains(p.html, want.Unsubscribe) {
			t.Errorf("message %d lacks %q and %q", i, want.ReadMore, want.Unsubscribe)
		}
	}
}

func TestEmailDelivers(t *testing.T) {
	srv, err := alerttest.NewSMTPServer(alerttest.SMTPOptions{STARTTLS: true, Login: &[2]string{"khabar", "relay-pass"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := newEmail(t, srv, func(c *alert.EmailConfig) { c.Username, c.Password = "khabar", "relay-pass" })
	a := breaking()
	a.Title = "عاجل: " + strings.Repeat("مجلس الوزراء يقر الموازنة العامة ", 4)
	a.Text = "أقر المجلس الموازنة.\nوتبدأ السنة المالية في كانون الثاني."
	to := []alert.EmailRecipient{reader("one@example.com"), reader("two@example.org"), reader("three@example.net")}
	for i, err := range alert.SendAll(t.Context(), e, a, to, 1) {
		if err != nil {
			t.Fatalf("recipient %d: %v", i, err)
		}
	}
	mails := srv.Mails()
	if len(mails) != 3 || srv.Sessions() != 1 {
		t.Fatalf("%d mails over %d sessions, want 3 over one", len(mails), srv.Sessions())
	}
	for i, m := range mails {
		if !m.TLS || m.User != "khabar" || m.From != "alerts@khabar.example" || len(m.To) != 1 || m.To[0] != to[i].Address {
			t.Errorf("envelope %+v", m)
		}
		p := parseMail(t, m.Data)
		h := p.header
		if p.subject != a.Title {
			t.Errorf("subject %q, want %q", p.subject, a.Title)
		}
		from, err := h.AddressList("From")
		if err != nil || from[0].Name != "خبر العاجل" || from[0].Address != "alerts@khabar.example" {
			t.Errorf("From %q: %v", h.Get("From"), err)
		}
		if h.Get("To") != "<"+to[i].Address+">" {
			t.Errorf("To %q", h.Get("To"))
		}
		if h.Get("List-Unsubscribe") != "<https://khabar.example/alerts/unsubscribe?t=abc.def>, <mailto:unsubscribe@khabar.example?subject=abc.def>" {
			t.Errorf("List-Unsubscribe %q", h.Get("List-Unsubscribe"))
		}
		if h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post %q", h.Get("List-Unsubscribe-Post"))
		}
		if !regexp.MustCompile(`^<[0-9a-f]{32}@khabar\.example>$`).MatchString(h.Get("Message-ID")) {
			t.Errorf("Message-ID %q", h.Get("Message-ID"))
		}
		if d, err := h.Date(); err != nil || time.Since(d) > time.Minute {
			t.Errorf("Date %q: %v", h.Get("Date"), err)
		}
		for _, want := range []string{a.Title, "وتبدأ السنة المالية", texts.ReadMore, texts.Unsubscribe, to[i].UnsubscribeURL} {
			if !strings.Contains(p.text, want) || !strings.Contains(p.html, want) {
				t.Errorf("a part lacks %q", want)
			}
		}
		// The HTML link is percent-encoded, as it must be in an attribute.
		if !strings.Contains(p.text, a.URL) || !strings.Contains(p.html, `href="https://khabar.example/news/42/%d9%83%d9%87`) {
			t.Errorf("the article link is missing")
		}
		if !strings.Contains(p.html, `<html lang="ar" dir="rtl">`) {
			t.Errorf("HTML is not Arabic right to left: %.200s", p.html)
		}
	}
}

func TestEmailSessions(t *testing.T) {
	srv, err := alerttest.NewSMTPServer(alerttest.SMTPOptions{ImplicitTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := newEmail(t, srv, func(c *alert.EmailConfig) { c.ImplicitTLS = true })
	if err := e.Send(t.Context(), breaking(), reader("one@example.com")); err != nil {
		t.Fatal(err)
	}
	// The relay drops the idle session; the next message notices and
	// opens another instead of failing.
	srv.Drop()
	if err := e.Send(t.Context(), breaking(), reader("two@example.com")); err != nil {
		t.Fatal(err)
	}
	mails := srv.Mails()
	if len(mails) != 2 || !mails[0].TLS || !mails[1].TLS || srv.Sessions() != 2 {
		t.Fatalf("%d mails (TLS %v) over %d sessions", len(mails), len(mails) > 0 && mails[0].TLS, srv.Sessions())
	}
}

func TestEmailConfirmation(t *testing.T) {
	srv, err := alerttest.NewSMTPServer(alerttest.SMTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := newEmail(t, srv, nil)
	c := alert.Confirmation{
		To: "reader@example.com", Subject: "أكّد اشتراكك في تنبيهات خبر", Intro: "طلبت تلقي الأخبار العاجلة بالبريد.",
		Action: "أكّد الاشتراك", Ignore: "إن لم تطلب ذلك فتجاهل هذه الرسالة.", URL: "https://khabar.example/alerts/confirm?t=<tag>&x=1",
	}
	msg, err := e.ConfirmationMessage(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Deliver(t.Context(), c.To, msg); err != nil {
		t.Fatal(err)
	}
	m := srv.Mails()[0]
	if m.TLS {
		t.Error("TLS without STARTTLS on offer")
	}
	p := parseMail(t, m.Data)
	if p.subject != c.Subject || p.header.Get("List-Unsubscribe") != "" {
		t.Errorf("subject %q, List-Unsubscribe %q", p.subject, p.header.Get("List-Unsubscribe"))
	}
	if !strings.Contains(p.html, `href="https://khabar.example/alerts/confirm?t=%3ctag%3e&amp;x=1"`) || !strings.Contains(p.text, c.URL) || !strings.Contains(p.html, c.Ignore) {
		t.Errorf("confirmation link or note missing:\n%s\n%s", p.text, p.html)
	}
	if _, err := e.ConfirmationMessage(alert.Confirmation{To: c.To, Subject: "x", URL: "javascript:alert(1)"}); err == nil {
		t.Error("a javascript: confirm link was accepted")
	}
}

func TestEmailOutcomes(t *testing.T) {
	srv, err := alerttest.NewSMTPServer(alerttest.SMTPOptions{RejectRcpt: func(addr string) string {
		switch addr {
		case "nobody@example.com":
			return "550 5.1.1 no such user"
		case "spam@example.com":
			return "550 5.7.1 message refused as spam"
		case "busy@example.com":
			return "451 4.3.0 try again later"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := newEmail(t, srv, nil)
	cases := []struct {
		to   alert.EmailRecipient
		want alert.Outcome
	}{
		{reader("ok@example.com"), alert.Delivered},
		{reader("nobody@example.com"), alert.Gone},
		{reader("spam@example.com"), alert.Failed},
		{reader("busy@example.com"), alert.Retry},
		{reader("ok@example.com"), alert.Delivered},
		{reader("not an address"), alert.Failed},
		{reader("a@example.com>\r\nRCPT TO:<b@example.com"), alert.Failed},
		{alert.EmailRecipient{Address: "ok@example.com"}, alert.Failed},
		{alert.EmailRecipient{Address: "ok@example.com", UnsubscribeURL: "http://khabar.example/u"}, alert.Failed},
		{alert.EmailRecipient{Address: "ok@example.com", UnsubscribeURL: "https://khabar.example/u", UnsubscribeMailto: "mailto:x> <https://evil"}, alert.Failed},
	}
	for _, c := range cases {
		err := e.Send(t.Context(), breaking(), c.to)
		if got := alert.OutcomeOf(err); got != c.want {
			t.Errorf("%q: %s (%v), want %s", c.to.Address, got, err, c.want)
		}
	}
	if n := len(srv.Mails()); n != 2 {
		t.Errorf("%d mails accepted, want 2", n)
	}
	wrong := newEmail(t, srv, func(c *alert.EmailConfig) { c.Username, c.Password = "khabar", "wrong" })
	// The server offers no AUTH, and net/smtp will not send a password in
	// clear to it: a configuration error, not worth retrying.
	if err := wrong.Send(t.Context(), breaking(), reader("ok@example.com")); alert.OutcomeOf(err) != alert.Failed {
		t.Errorf("login without AUTH on offer: %v", err)
	}
}

func TestEmailHangingServer(t *testing.T) {
	srv, err := alerttest.NewSMTPServer(alerttest.SMTPOptions{Hang: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := newEmail(t, srv, func(c *alert.EmailConfig) { c.Timeout = 300 * time.Millisecond })
	start := time.Now()
	err = e.Send(t.Context(), breaking(), reader("ok@example.com"))
	if alert.OutcomeOf(err) != alert.Retry || time.Since(start) > 2*time.Second {
		t.Fatalf("hanging relay: %v after %s", err, time.Since(start))
	}

	// The caller's deadline ends the wait too, before the relay timeout.
	patient := newEmail(t, srv, func(c *alert.EmailConfig) { c.Timeout = time.Minute })
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = patient.Send(ctx, breaking(), reader("ok@example.com"))
	if alert.OutcomeOf(err) != alert.Retry || time.Since(start) > 2*time.Second {
		t.Fatalf("cancelled: %v after %s", err, time.Since(start))
	}

	// A relay that is not there at all.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	down, err := alert.NewEmail(alert.EmailConfig{Addr: addr, From: "alerts@khabar.example", Timeout: time.Second, Texts: func() alert.EmailTexts { return texts }})
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Send(t.Context(), breaking(), reader("ok@example.com")); alert.OutcomeOf(err) != alert.Retry {
		t.Fatalf("relay down: %v", err)
	}
}

func TestEmailBadConfig(t *testing.T) {
	for _, c := range []alert.EmailConfig{
		{Addr: "smtp.example.com:587", From: "not an address"},
		{Addr: "smtp.example.com", From: "alerts@khabar.example"},
		{Addr: ":587", From: "alerts@khabar.example"},
		{Addr: "smtp.example.com:587", From: "alerts@khabar.example"}, // no texts
	} {
		if _, err := alert.NewEmail(c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
	// A relay whose certificate we do not trust: permanent, not retried.
	srv, err := alerttest.NewSMTPServer(alerttest.SMTPOptions{STARTTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := newEmail(t, srv, func(c *alert.EmailConfig) { c.RootCAs = nil })
	err = e.Send(t.Context(), breaking(), reader("ok@example.com"))
	if alert.OutcomeOf(err) != alert.Failed {
		t.Fatalf("untrusted certificate: %v", err)
	}
}
