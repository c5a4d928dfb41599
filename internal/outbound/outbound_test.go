package outbound

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestPublicAddr(t *testing.T) {
	cases := map[string]bool{
		"93.184.216.34":        true,
		"2606:4700::1111":      true,
		"127.0.0.1":            false,
		"127.8.9.10":           false,
		"::1":                  false,
		"10.1.2.3":             false,
		"172.16.0.1":           false,
		"172.31.255.255":       false,
		"172.32.0.1":           true,
		"192.168.1.1":          false,
		"169.254.169.254":      false,
		"fc00::1":              false,
		"fd12:3456::1":         false,
		"fe80::1":              false,
		"0.0.0.0":              false,
		"::":                   false,
		"::ffff:127.0.0.1":     false,
		"::ffff:10.0.0.1":      false,
		"100.64.0.1":           false,
		"224.0.0.1":            false,
		"255.255.255.255":      false,
		"64:ff9b::7f00:1":      false,
		"2002:7f00:1::":        false,
		"fe80::1%eth0":         false,
		"2001:db8::1":          false,
		"198.18.0.1":           false,
		"ff02::1":              false,
		"::ffff:93.184.216.34": true,
	}
	for s, want := range cases {
		if got := publicAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	lookup := func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "push.example.com":
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		case "rebind.example.com":
			return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.0.0.5")}, nil
		case "metadata.example.com":
			return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
		}
		return nil, errors.New("no such host")
	}
	g := Guard{LookupIP: lookup}
	ok := []string{"https://push.example.com/wpush/v2/abc", "https://93.184.216.34/x", "https://[2606:4700::1111]:8443/x"}
	for _, u := range ok {
		if _, err := g.CheckURL(t.Context(), u); err != nil {
			t.Errorf("CheckURL(%s): %v", u, err)
		}
	}
	refused := []string{
		"http://push.example.com/x",
		"ftp://push.example.com/x",
		"https:///x",
		"https://user:pass@push.example.com/x",
		"https://127.0.0.1/x",
		"https://[::1]/x",
		"https://10.0.0.1/x",
		"https://172.16.5.4/x",
		"https://192.168.0.1/x",
		"https://169.254.169.254/latest/meta-data",
		"https://[fc00::1]/x",
		"https://[fe80::1%25eth0]/x",
		"https://0.0.0.0/x",
		"https://[::]/x",
		"https://localhost/x",
		"https://LOCALHOST./x",
		"https://push.localhost/x",
		"https://printer.local/x",
		"https://intranet/x",
		"https://2130706433/x",
		"https://0x7f.1/x",
		"https://rebind.example.com/x",
		"https://metadata.example.com/x",
		"https://unknown.example.com/x",
		"https://exa mple.com/x",
	}
	for _, u := range refused {
		if _, err := g.CheckURL(t.Context(), u); err == nil {
			t.Errorf("CheckURL(%s) passed", u)
		}
	}
	if _, err := (Guard{AllowPrivate: true}).CheckURL(t.Context(), "https://127.0.0.1:8443/x"); err != nil {
		t.Errorf("AllowPrivate refused loopback: %v", err)
	}
	if _, err := (Guard{AllowPrivate: true}).CheckURL(t.Context(), "http://127.0.0.1:8443/x"); err == nil {
		t.Error("AllowPrivate let http through")
	}
}

// TestCheckHost: what a form can refuse at once, without a lookup.
func TestCheckHost(t *testing.T) {
	for host, ok := range map[string]bool{
		"pubsubhubbub.appspot.com": true,
		"hub.example.com.":         true,
		"93.184.216.34":            true,
		"2606:4700::1111":          true,
		"127.0.0.1":                false,
		"169.254.169.254":          false,
		"10.0.0.8":                 false,
		"::1":                      false,
		"localhost":                false,
		"Hub.LOCAL":                false,
		"metadata.google.internal": false,
		"intranet":                 false,
		"2130706433":               false,
	} {
		err := CheckHost(host)
		if (err == nil) != ok || (err != nil && !errors.Is(err, ErrForbiddenAddress)) {
			t.Errorf("CheckHost(%s) = %v, want ok %v", host, err, ok)
		}
	}
}

// TestLookupErrorHidesResolver: a name that does not resolve is told as
// such, without the resolver's error, which names our resolver's address;
// the log gets that through Unwrap.
func TestLookupErrorHidesResolver(t *testing.T) {
	dnsErr := &net.DNSError{Err: "no such host", Name: "push.example.com", Server: "10.255.255.53:53", IsNotFound: true}
	g := Guard{LookupIP: func(context.Context, string) ([]netip.Addr, error) { return nil, dnsErr }}
	_, err := g.CheckURL(t.Context(), "https://push.example.com/x")
	var le *LookupError
	if !errors.As(err, &le) || le.Host != "push.example.com" || !errors.Is(err, dnsErr) {
		t.Fatalf("CheckURL: %v, want a LookupError for push.example.com wrapping the resolver's", err)
	}
	if msg := err.Error(); strings.Contains(msg, "10.255.255.53") || !strings.Contains(msg, "push.example.com") {
		t.Errorf("message %q should name the host and not the resolver", msg)
	}
}

// TestClientRefusesPrivate: the guarded client refuses a loopback peer at
// dial time, http or https; only AllowPrivate, which tests set, lets it
// through.
func TestClientRefusesPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tls.Close()
	roots := tls.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	for _, u := range []string{srv.URL, tls.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		if _, err := (Guard{}).Client(roots).Post(u, "text/plain", nil); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("guarded POST %s: %v, want ErrForbiddenAddress", u, err)
		}
		res, err := (Guard{AllowPrivate: true}).Client(roots).Post(u, "text/plain", nil)
		if err != nil {
			t.Errorf("POST %s with AllowPrivate: %v", u, err)
			continue
		}
		res.Body.Close()
	}
}
