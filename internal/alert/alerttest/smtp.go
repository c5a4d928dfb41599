package alerttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// Mail is one message the SMTP server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte // as sent, with line endings made "\n" by the dot reader
	TLS  bool   // whether it came over STARTTLS
	User string // who logged in, if anyone did
}

// SMTPOptions shape the server.
type SMTPOptions struct {
	STARTTLS bool // offer STARTTLS, with a certificate RootCAs trusts
	// ImplicitTLS speaks TLS from the first byte, as on port 465.
	ImplicitTLS bool
	// Login requires AUTH PLAIN with this user and password.
	Login *[2]string
	// RejectRcpt answers RCPT TO for an address with a reply line of its
	// own ("550 5.1.1 no such user") instead of 250, when not "".
	RejectRcpt func(addr string) string
	// Hang accepts connections and never says a word.
	Hang bool
}

// SMTPServer is an SMTP server (RFC 5321) on loopback speaking enough of
// the protocol for a mail relay's client: EHLO, STARTTLS, AUTH PLAIN, MAIL,
// RCPT, DATA, RSET, NOOP and QUIT.
type SMTPServer struct {
	Addr    string
	RootCAs *x509.CertPool

	opts SMTPOptions
	tls  *tls.Config
	ln   net.Listener

	mu       sync.Mutex
	mails    []Mail
	sessions int
	conns    []net.Conn
	wg       sync.WaitGroup
}

// NewSMTPServer starts a server; Close it when done.
func NewSMTPServer(opts SMTPOptions) (*SMTPServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &SMTPServer{Addr: ln.Addr().String(), opts: opts, ln: ln}
	if opts.STARTTLS || opts.ImplicitTLS {
		cert, pool, err := localCertificate()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.tls = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.RootCAs = pool
	}
	s.wg.Go(s.accept)
	return s, nil
}

// Close stops the server and ends open sessions.
func (s *SMTPServer) Close() {
	s.ln.Close()
	s.Drop()
	s.wg.Wait()
}

// Drop ends the open sessions without a word, as a relay does with idle
// connections.
func (s *SMTPServer) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

// Mails returns the accepted messages.
func (s *SMTPServer) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Sessions counts the connections accepted.
func (s *SMTPServer) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

func (s *SMTPServer) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.sessions++
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		if s.opts.Hang {
			continue // held open, silent, until Close
		}
		s.wg.Go(func() {
			defer c.Close()
			s.session(c)
		})
	}
}

func (s *SMTPServer) session(c net.Conn) {
	onTLS := s.opts.ImplicitTLS
	if onTLS {
		c = tls.Server(c, s.tls)
	}
	tp := textproto.NewConn(c)
	var (
		m    Mail
		user string
	)
	tp.PrintfLine("220 localhost ESMTP alerttest")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			m = Mail{}
			ext := []string{"localhost", "8BITMIME"}
			if s.opts.STARTTLS && !onTLS {
				ext = append(ext, "STARTTLS")
			}
			if s.opts.Login != nil {
				ext = append(ext, "AUTH PLAIN")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				tp.PrintfLine("250%s%s", sep, e)
			}
		case "STARTTLS":
			if !s.opts.STARTTLS || onTLS {
				tp.PrintfLine("502 5.5.1 not now")
				continue
			}
			tp.PrintfLine("220 2.0.0 go ahead")
			tc := tls.Server(c, s.tls)
			if tc.Handshake() != nil {
				return
			}
			c, tp, onTLS, m, user = tc, textproto.NewConn(tc), true, Mail{}, ""
		case "AUTH":
			if s.opts.Login == nil {
				tp.PrintfLine("502 5.5.1 no AUTH here")
				continue
			}
			mech, resp, _ := strings.Cut(arg, " ")
			raw, _ := base64.StdEncoding.DecodeString(resp)
			fields := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || len(fields) != 3 || fields[1] != s.opts.Login[0] || fields[2] != s.opts.Login[1] {
				tp.PrintfLine("535 5.7.8 authentication failed")
				continue
			}
			user = fields[1]
			tp.PrintfLine("235 2.7.0 accepted")
		case "MAIL":
			if s.opts.Login != nil && user == "" {
				tp.PrintfLine("530 5.7.0 authentication required")
				continue
			}
			m = Mail{From: angle(arg), TLS: onTLS, User: user}
			tp.PrintfLine("250 2.1.0 ok")
		case "RCPT":
			to := angle(arg)
			if s.opts.RejectRcpt != nil {
				if reply := s.opts.RejectRcpt(to); reply != "" {
					tp.PrintfLine("%s", reply)
					continue
				}
			}
			m.To = append(m.To, to)
			tp.PrintfLine("250 2.1.5 ok")
		case "DATA":
			if m.From == "" || len(m.To) == 0 {
				tp.PrintfLine("503 5.5.1 MAIL and RCPT first")
				continue
			}
			tp.PrintfLine("354 end with <CRLF>.<CRLF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m.Data = data
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			m = Mail{}
			tp.PrintfLine("250 2.0.0 queued")
		case "RSET":
			m = Mail{}
			tp.PrintfLine("250 2.0.0 ok")
		case "NOOP":
			tp.PrintfLine("250 2.0.0 ok")
		case "QUIT":
			tp.PrintfLine("221 2.0.0 bye")
			return
		default:
			tp.PrintfLine("502 5.5.2 unknown command")
		}
	}
}

// angle takes the address out of "FROM:<a@b> BODY=8BITMIME".
func angle(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// localCertificate makes a self-signed certificate for 127.0.0.1 and
// localhost, and a pool that trusts it.
func localCertificate() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "alerttest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
