package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProxiesClient(t *testing.T) {
	xff := func(values ...string) http.Header { return http.Header{HeaderXForwardedFor: values} }
	fwd := func(values ...string) http.Header { return http.Header{HeaderForwarded: values} }
	cases := []struct {
		name, trusted, header, peer string
		h                           http.Header
		want                        string
	}{
		{"no proxies trusted: the header is ignored", "", "", "203.0.113.9:5000", xff("198.51.100.7"), "203.0.113.9"},
		{"spoofed by an untrusted peer", "10.0.0.0/8", "", "203.0.113.9:5000", xff("198.51.100.7"), "203.0.113.9"},
		{"from a trusted proxy", "10.0.0.0/8", "", "10.1.2.3:5000", xff("198.51.100.7"), "198.51.100.7"},
		{"client's own entry to the left is not believed", "10.0.0.0/8", "", "10.1.2.3:5000", xff("6.6.6.6, 198.51.100.7"), "198.51.100.7"},
		{"two trusted hops", "10.0.0.0/8", "", "10.1.2.3:5000", xff("198.51.100.7, 10.9.9.9"), "198.51.100.7"},
		{"header lines in order", "10.0.0.0/8", "", "10.1.2.3:5000", xff("6.6.6.6", "198.51.100.7"), "198.51.100.7"},
		{"garbage stops at the proxy", "10.0.0.0/8", "", "10.1.2.3:5000", xff("198.51.100.7, <script>"), "10.1.2.3"},
		{"empty header: the proxy itself", "10.0.0.0/8", "", "10.1.2.3:5000", xff(), "10.1.2.3"},
		{"a port on the hop", "10.0.0.0/8", "", "10.1.2.3:5000", xff("198.51.100.7:4711"), "198.51.100.7"},
		{"IPv6 proxy and client", "2001:db8:1::/48", "", "[2001:db8:1::5]:443", xff("2001:db8:cafe::17"), "2001:db8:cafe::17"},
		{"IPv4-mapped peer", "10.0.0.0/8", "", "[::ffff:10.1.2.3]:5000", xff("::ffff:198.51.100.7"), "198.51.100.7"},
		{"single address trusted", "127.0.0.1", "", "127.0.0.1:5000", xff("198.51.100.7"), "198.51.100.7"},
		{"X-Forwarded-For mode ignores Forwarded", "10.0.0.0/8", "", "10.1.2.3:5000", fwd("for=198.51.100.7"), "10.1.2.3"},
		{"Forwarded", "10.0.0.0/8", "Forwarded", "10.1.2.3:5000", fwd("for=192.0.2.60;proto=http;by=203.0.113.43"), "192.0.2.60"},
		{"Forwarded, quoted IPv6 with a port", "10.0.0.0/8", "forwarded", "10.1.2.3:5000", fwd(`for="[2001:db8:cafe::17]:4711"`), "2001:db8:cafe::17"},
		{"Forwarded, obfuscated hop", "10.0.0.0/8", "Forwarded", "10.1.2.3:5000", fwd("for=_hidden, for=unknown"), "10.1.2.3"},
		{"Forwarded mode ignores X-Forwarded-For", "10.0.0.0/8", "Forwarded", "10.1.2.3:5000", xff("198.51.100.7"), "10.1.2.3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseProxies(c.trusted, c.header)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			h := p.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = ClientIP(r) }))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr, r.Header = c.peer, c.h
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != c.want {
				t.Errorf("client %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseProxiesRefuses(t *testing.T) {
	for _, c := range []struct{ list, header, want string }{
		{"10.0.0.0/33", "", `trusted proxy "10.0.0.0/33"`},
		{"cdn.example", "", `trusted proxy "cdn.example"`},
		{"10.0.0.0/8", "X-Real-IP", `proxy header "X-Real-IP"`},
	} {
		_, err := ParseProxies(c.list, c.header)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseProxies(%q, %q) = %v, want %s", c.list, c.header, err, c.want)
		}
	}
}
