// Package outbound decides where the server may connect to on its own
// initiative, and makes the HTTP clients that hold to it. Push endpoints
// come from browsers (anyone), WebSub hubs from an admin's settings, and
// the other peers from flags: without this refusal any of them could make
// the server post into its own network (a database, a cloud's metadata
// service at 169.254.169.254).
package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress means a URL leads to an address that is not on the
// public internet: loopback, private, link-local, unspecified and the
// like.
var ErrForbiddenAddress = errors.New("address is not public (loopback, private, link-local or reserved)")

// ErrUnsafeURL is a URL refused before any lookup: not https, no host,
// or credentials in it.
var ErrUnsafeURL = errors.New("unsafe URL")

// LookupError is a host name that did not resolve. Its message names only
// the host, for whoever gave the URL; the resolver's own error, which
// names our resolver (an address inside our network), is Err, for the
// log.
type LookupError struct {
	Host string
	Err  error
}

func (e *LookupError) Error() string { return "host " + e.Host + " does not resolve" }
func (e *LookupError) Unwrap() error { return e.Err }

// nonPublic lists ranges that netip's predicates do not cover but that no
// push service or partner lives in.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64, which can embed any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4, which can embed any IPv4 address
	netip.MustParsePrefix("fec0::/10"),       // old site-local
}

// publicAddr reports whether ip is an ordinary internet address.
func publicAddr(ip netip.Addr) bool {
	if ip.Zone() != "" {
		return false
	}
	ip = ip.Unmap() // ::ffff:127.0.0.1 is loopback too
	if !ip.IsGlobalUnicast() || ip.IsPrivate() {
		// IsGlobalUnicast is false for loopback, link-local, multicast and
		// unspecified addresses.
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Guard decides which URLs the server may connect to.
type Guard struct {
	// AllowPrivate lets loopback and private addresses through: for tests
	// and benchmarks against local peers only.
	AllowPrivate bool
	// LookupIP resolves a host name; nil means the system resolver.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
}

// CheckURL parses raw and refuses it unless it is https with a public
// host: the name itself must look like a public one, and every address it
// resolves to must be public. The answer can change by the time we
// connect (DNS rebinding), which is why the Client checks again at dial
// time; this check gives a clear error when the URL is first given. Its
// errors name the host but never what our resolver said: a failed lookup
// is a *LookupError, and a name that leads inside is refused without
// saying where it leads.
func (g Guard) CheckURL(ctx context.Context, raw string) (*url.URL, error) {
	u, err := ParseHTTPS(raw)
	if err != nil {
		return nil, err
	}
	if g.AllowPrivate {
		return u, nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if err := CheckHost(host); err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return u, nil
	}
	lookup := g.LookupIP
	if lookup == nil {
		lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	ips, err := lookup(ctx, host)
	if err != nil {
		return nil, &LookupError{Host: host, Err: err}
	}
	if len(ips) == 0 {
		return nil, &LookupError{Host: host, Err: errors.New("no addresses")}
	}
	for _, ip := range ips {
		if !publicAddr(ip) {
			return nil, fmt.Errorf("host %s: %w", host, ErrForbiddenAddress)
		}
	}
	return u, nil
}

// CheckHost refuses what a URL's host shows to be non-public without a
// lookup: an address that is not public, or a name that can only mean
// this machine or its network. It is what a form can tell at once; names
// that resolve inside are refused when the server connects.
func CheckHost(host string) error {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		if !publicAddr(ip) {
			return fmt.Errorf("host %s: %w", host, ErrForbiddenAddress)
		}
		return nil
	}
	return publicName(host)
}

// ParseHTTPS parses raw and requires an https URL with a host and no
// credentials.
func ParseHTTPS(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse URL: %w", ErrUnsafeURL)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("URL scheme %q is not https: %w", u.Scheme, ErrUnsafeURL)
	}
	if u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return nil, fmt.Errorf("URL without a host or with credentials: %w", ErrUnsafeURL)
	}
	return u, nil
}

// publicName refuses names that can only mean this machine or its
// network, and names that resolvers may read as numbers ("2130706433",
// "0x7f.1"): a public name has a dot and a top-level label that starts
// with a letter.
func publicName(host string) error {
	last := host[strings.LastIndexByte(host, '.')+1:]
	switch {
	case host == "localhost", strings.HasSuffix(host, ".localhost"),
		strings.HasSuffix(host, ".local"), strings.HasSuffix(host, ".internal"),
		strings.HasSuffix(host, ".localdomain"), strings.HasSuffix(host, ".home.arpa"):
		return fmt.Errorf("host %s: %w", host, ErrForbiddenAddress)
	case !strings.Contains(host, "."), last == "" || last[0] < 'a' || last[0] > 'z':
		return fmt.Errorf("host %q is not a public name: %w", host, ErrForbiddenAddress)
	}
	return nil
}

// Client returns an HTTP client for talking to peers: keep-alive and
// HTTP/2 so a hundred thousand deliveries share a few connections, bounded
// timeouts at every step, no proxy from the environment, no redirects (a
// redirect is a peer's answer, not an instruction), and, unless
// AllowPrivate, a refusal of any non-public address at the moment of
// connecting, whatever DNS said before. roots, when not nil, replaces the
// system's CAs (tests trust their own servers with it). Make one client per
// use and keep it: its connections are what it reuses.
func (g Guard) Client(roots *x509.CertPool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !g.AllowPrivate {
		dialer.Control = refusePrivate
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 20 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   64,
		},
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// refusePrivate runs after the name is resolved and before the connection
// is made, with the very address that will be dialled.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	// The dialler already names network and address in its error.
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !publicAddr(ap.Addr()) {
		return ErrForbiddenAddress
	}
	return nil
}
