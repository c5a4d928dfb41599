package throttle

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	// A refill period far longer than the test: no token comes back by
	// itself, whatever the machine's speed.
	l := NewLimiter(3, time.Hour)
	for i := range 3 {
		if !l.Take("a") {
			t.Fatalf("take %d of a burst of 3 refused", i+1)
		}
	}
	if l.Take("a") {
		t.Error("a fourth take within the burst was allowed")
	}
	if !l.Take("b") {
		t.Error("another key shares a's bucket")
	}
	l.Reset("a")
	if !l.Take("a") {
		t.Error("a reset key is still refused")
	}
	var none *Limiter
	if !none.Take("a") {
		t.Error("a nil limiter refuses")
	}
}

func TestAddress(t *testing.T) {
	for _, c := range []struct{ ip, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		if got := Address(c.ip); got != c.want {
			t.Errorf("Address(%q) = %q, want %q", c.ip, got, c.want)
		}
	}
}

func TestLogAddress(t *testing.T) {
	for _, c := range []struct{ ip, want string }{
		{"192.0.2.7", "192.0.2.0/24"},
		{"::ffff:192.0.2.7", "192.0.2.0/24"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1::/48"},
		{"fe80::1%eth0", "fe80::/48"},
		{"2001:db8:1:2::/64", "2001:db8:1::/48"}, // an Address key
		{"192.0.2.7:1234", "-"},
		{"not an address\nlevel=ERROR", "-"},
		{"", "-"},
	} {
		if got := LogAddress(c.ip); got != c.want {
			t.Errorf("LogAddress(%q) = %q, want %q", c.ip, got, c.want)
		}
	}
}
