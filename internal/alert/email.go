package alert

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// EmailConfig configures SMTP delivery through the outlet's mail relay.
type EmailConfig struct {
	Addr string // host:port of the relay
	From string // "Name <address>"; the name may be Arabic
	// Username and Password, when set, log in with AUTH PLAIN, which
	// net/smtp only does over TLS (or to localhost).
	Username, Password string
	// ImplicitTLS speaks TLS from the first byte (port 465); otherwise
	// STARTTLS is used whenever the relay offers it.
	ImplicitTLS bool
	// Timeout bounds the dial and every single read and write, so a relay
	// that stops answering fails the delivery instead of holding it; 30 s
	// when zero.
	Timeout time.Duration
	RootCAs *x509.CertPool // nil: the system's
	Hello   string         // the EHLO name; "localhost" when empty
	// Texts gives the fixed words of a message as it is made, so they
	// follow the outlet's language when an admin switches it.
	Texts func() EmailTexts
}

// Email sends alerts and confirmations by SMTP. It keeps a few sessions
// open between messages so that a batch does not pay a connection and a
// TLS handshake per subscriber.
type Email struct {
	cfg  EmailConfig
	from *mail.Address
	host string

	mu   sync.Mutex
	idle []*smtpSession
}

const (
	maxIdleSessions = 4
	// Relays drop quiet connections after a minute or more; ours are
	// reused well before, or closed.
	maxSessionIdle = 30 * time.Second
)

// NewEmail checks cfg and returns a sender.
func NewEmail(cfg EmailConfig) (*Email, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email: sender address %q: %w", cfg.From, err)
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("email: relay address %q is not host:port", cfg.Addr)
	}
	if cfg.Texts == nil {
		return nil, errors.New("email: no texts for the messages' links")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Hello == "" {
		cfg.Hello = "localhost"
	}
	return &Email{cfg: cfg, from: from, host: host}, nil
}

// Send emails the alert to one subscriber.
func (e *Email) Send(ctx context.Context, a *Alert, to EmailRecipient) error {
	msg, err := e.AlertMessage(a, to)
	if err != nil {
		return &Error{Channel: "email", Outcome: Failed, Err: err}
	}
	return e.Deliver(ctx, to.Address, msg)
}

// Deliver hands one message for rcpt to the relay.
func (e *Email) Deliver(ctx context.Context, rcpt string, msg []byte) error {
	addr, err := mail.ParseAddress(rcpt)
	if err != nil {
		return &Error{Channel: "email", Outcome: Failed, Err: fmt.Errorf("recipient %q: %w", rcpt, err)}
	}
	s, err := e.session(ctx)
	if err != nil {
		return smtpError("connect to "+e.cfg.Addr, err)
	}
	// Cancelling ctx closes the connection, which ends any read or write
	// at once.
	stop := context.AfterFunc(ctx, func() { s.conn.Close() })
	err = s.send(e.from.Address, addr.Address, msg)
	if !stop() {
		s.conn.Close()
		return &Error{Channel: "email", Outcome: Retry, Err: ctx.Err()}
	}
	if err != nil {
		s.conn.Close()
		return err
	}
	e.release(s)
	return nil
}

// Close ends the idle sessions.
func (e *Email) Close() {
	e.mu.Lock()
	idle := e.idle
	e.idle = nil
	e.mu.Unlock()
	for _, s := range idle {
		s.c.Quit()
	}
}

type smtpSession struct {
	c    *smtp.Client
	conn net.Conn
	used time.Time
}

// session takes an idle session that still answers, or opens a new one.
func (e *Email) session(ctx context.Context) (*smtpSession, error) {
	for {
		e.mu.Lock()
		n := len(e.idle)
		if n == 0 {
			e.mu.Unlock()
			return e.dial(ctx)
		}
		s := e.idle[n-1]
		e.idle = e.idle[:n-1]
		e.mu.Unlock()
		if time.Since(s.used) < maxSessionIdle && s.c.Reset() == nil {
			return s, nil
		}
		s.conn.Close()
	}
}

func (e *Email) release(s *smtpSession) {
	s.used = time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.idle) < maxIdleSessions {
		e.idle = append(e.idle, s)
		return
	}
	go s.c.Quit()
}

func (e *Email) dial(ctx context.Context) (*smtpSession, error) {
	d := net.Dialer{Timeout: e.cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", e.cfg.Addr)
	if err != nil {
		return nil, err
	}
	var conn net.Conn = &deadlineConn{Conn: raw, timeout: e.cfg.Timeout}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	tlsConf := &tls.Config{ServerName: e.host, RootCAs: e.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	if e.cfg.ImplicitTLS {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, e.host)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if err := e.greet(c, tlsConf); err != nil {
		conn.Close()
		return nil, err
	}
	return &smtpSession{c: c, conn: conn}, nil
}

func (e *Email) greet(c *smtp.Client, tlsConf *tls.Config) error {
	if err := c.Hello(e.cfg.Hello); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !e.cfg.ImplicitTLS {
		if err := c.StartTLS(tlsConf); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if e.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.cfg.Username, e.cfg.Password, e.host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	return nil
}

// send runs one mail transaction, classifying a failure by its step.
func (s *smtpSession) send(from, rcpt string, msg []byte) error {
	if err := s.c.Mail(from); err != nil {
		return smtpError("MAIL FROM", err)
	}
	if err := s.c.Rcpt(rcpt); err != nil {
		if te, ok := errors.AsType[*textproto.Error](err); ok && mailboxUnknown(te) {
			return &Error{Channel: "email", Outcome: Gone, Status: te.Code, Err: fmt.Errorf("RCPT TO %s: %w", rcpt, err)}
		}
		return smtpError("RCPT TO", err)
	}
	w, err := s.c.Data()
	if err != nil {
		return smtpError("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return smtpError("DATA", err)
	}
	if err := w.Close(); err != nil {
		return smtpError("end of DATA", err)
	}
	return nil
}

// mailboxUnknown reports a permanent "no such user" (RFC 3463 5.1.x, bad
// destination address), as opposed to a refusal for policy or spam, which
// says nothing about whether the address exists.
func mailboxUnknown(te *textproto.Error) bool {
	switch te.Code {
	case 550, 551, 553:
		return strings.HasPrefix(te.Msg, "5.1.")
	}
	return false
}

// smtpError classifies a failure: 4xx replies are temporary by definition
// (RFC 5321 4.2.1), 5xx permanent, certificate problems are configuration,
// and the rest (timeouts, dropped connections) is worth a retry.
func smtpError(step string, err error) error {
	e := &Error{Channel: "email", Outcome: Retry, Err: fmt.Errorf("%s: %w", step, err)}
	if te, ok := errors.AsType[*textproto.Error](err); ok {
		e.Status = te.Code
		if te.Code >= 500 {
			e.Outcome = Failed
		}
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		e.Outcome = Failed
	}
	return e
}

// deadlineConn gives every read and write its own deadline: net/smtp has
// no timeouts of its own, and one deadline for the whole session would
// cut a long batch short.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}
