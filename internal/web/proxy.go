package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Client address headers a trusted proxy may carry.
const (
	HeaderXForwardedFor = "X-Forwarded-For"
	HeaderForwarded     = "Forwarded"
)

// Proxies are the reverse proxies in front of the site (a CDN, Varnish, a
// load balancer) whose word on the client's address is taken. Without
// them every reader behind a CDN would share its address: one spammer
// would use up everyone's limits, and a ban would ban the site.
type Proxies struct {
	trusted []netip.Prefix
	header  string
}

// ParseProxies reads a list of addresses and CIDR ranges (separated by
// commas or spaces) and the header they write the client's address in
// (X-Forwarded-For, the default, or Forwarded). Only that header is read: a proxy that
// appends to X-Forwarded-For passes a Forwarded header from the client
// through untouched, and reading both would let the client choose.
func ParseProxies(list, header string) (Proxies, error) {
	var p Proxies
	switch {
	case header == "" || strings.EqualFold(header, HeaderXForwardedFor):
		p.header = HeaderXForwardedFor
	case strings.EqualFold(header, HeaderForwarded):
		p.header = HeaderForwarded
	default:
		return p, fmt.Errorf("proxy header %q: want %s or %s", header, HeaderXForwardedFor, HeaderForwarded)
	}
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		prefix, err := netip.ParsePrefix(f)
		if err != nil {
			addr, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return Proxies{}, fmt.Errorf("trusted proxy %q: want an address or a CIDR range such as 10.0.0.0/8", f)
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		if prefix.Addr().Is4In6() {
			prefix = netip.PrefixFrom(prefix.Addr().Unmap(), prefix.Bits()-96)
		}
		p.trusted = append(p.trusted, prefix.Masked())
	}
	return p, nil
}

// Handler sets each request's RemoteAddr to its client's address as the
// trusted proxies tell it, so every limit, ban and log downstream sees
// the reader, not the proxy. A request from any other peer keeps its
// peer address whatever headers it carries.
func (p Proxies) Handler(next http.Handler) http.Handler {
	if len(p.trusted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := p.client(r); ok {
			r2 := *r
			r2.RemoteAddr = net.JoinHostPort(client.String(), "0")
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}

// client walks the header's hops from the nearest back: each hop a
// trusted proxy names is believed, and the first address that is not a
// trusted proxy is the client. A hop that is no address ("unknown", an
// obfuscated name, garbage) ends the walk at the proxy that wrote it.
func (p Proxies) client(r *http.Request) (netip.Addr, bool) {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	current := peer.Addr().Unmap()
	hops := p.hops(r.Header.Values(p.header))
	for i := len(hops) - 1; i >= 0 && p.isTrusted(current); i-- {
		next, ok := hops[i], hops[i].IsValid()
		if !ok {
			break
		}
		current = next
	}
	return current, current != peer.Addr().Unmap()
}

func (p Proxies) isTrusted(a netip.Addr) bool {
	for _, prefix := range p.trusted {
		if prefix.Contains(a) {
			return true
		}
	}
	return false
}

// hops are the addresses the header lines list, in order; an entry that
// is not an address is the zero Addr.
func (p Proxies) hops(lines []string) []netip.Addr {
	var out []netip.Addr
	for _, line := range lines {
		for _, elem := range strings.Split(line, ",") {
			elem = strings.TrimSpace(elem)
			if p.header == HeaderForwarded {
				elem = forwardedFor(elem)
			}
			out = append(out, parseHop(elem))
		}
	}
	return out
}

// forwardedFor is the for= parameter of one element of a Forwarded
// header (RFC 7239), unquoted; "" when it has none.
func forwardedFor(elem string) string {
	for _, pair := range strings.Split(elem, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

// parseHop reads an address as proxies write it: bare, with a port, or
// an IPv6 address in brackets (with or without a port).
func parseHop(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil && a.Zone() == "" {
		return a.Unmap()
	}
	return netip.Addr{}
}
