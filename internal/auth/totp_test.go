package auth

import (
	"strings"
	"testing"
	"time"
)

// rfcSeed is the SHA-1 key of RFC 6238's Appendix B.
var rfcSeed = []byte("12345678901234567890")

// TestTOTPVectors: RFC 6238 Appendix B, SHA-1 rows. The RFC prints
// eight digits; the six-digit code the apps show is their last six (the
// same truncated number, modulo 10⁶).
func TestTOTPVectors(t *testing.T) {
	for _, c := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		step := TOTPStep(time.Unix(c.unix, 0))
		if got := hotp(rfcSeed, uint64(step), 8); got != c.want {
			t.Errorf("T=%d: %s, want %s", c.unix, got, c.want)
		}
		if got := TOTPCode(rfcSeed, step); got != c.want[2:] {
			t.Errorf("T=%d six digits: %s, want %s", c.unix, got, c.want[2:])
		}
	}
}

func TestMatchTOTP(t *testing.T) {
	at := time.Unix(1111111111, 0) // step 37037037
	now := TOTPStep(at)
	for _, c := range []struct {
		name  string
		code  string
		after int64
		step  int64
		ok    bool
	}{
		{"now", TOTPCode(rfcSeed, now), 0, now, true},
		{"one step early", TOTPCode(rfcSeed, now-1), 0, now - 1, true},
		{"one step late", TOTPCode(rfcSeed, now+1), 0, now + 1, true},
		{"two steps early", TOTPCode(rfcSeed, now-2), 0, 0, false},
		{"two steps late", TOTPCode(rfcSeed, now+2), 0, 0, false},
		{"used already", TOTPCode(rfcSeed, now), now, 0, false},
		{"the next after a used one", TOTPCode(rfcSeed, now+1), now, now + 1, true},
		{"an earlier one after a later was used", TOTPCode(rfcSeed, now-1), now, 0, false},
		{"empty", "", 0, 0, false},
		{"too long", TOTPCode(rfcSeed, now) + "0", 0, 0, false},
		{"letters", "abcdef", 0, 0, false},
	} {
		step, ok := MatchTOTP(rfcSeed, c.code, at, c.after)
		if step != c.step || ok != c.ok {
			t.Errorf("%s: %d %v, want %d %v", c.name, step, ok, c.step, c.ok)
		}
	}
}

func TestTOTPTexts(t *testing.T) {
	if got := FormatTOTPSecret(rfcSeed); got != "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ" {
		t.Errorf("secret as text: %q", got)
	}
	uri := TOTPURI("خبر", "editor@khabar.test", rfcSeed)
	for _, want := range []string{"otpauth://totp/%D8%AE%D8%A8%D8%B1:editor@khabar.test?", "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "digits=6", "period=30", "algorithm=SHA1"} {
		if !strings.Contains(uri, want) {
			t.Errorf("URI %s lacks %s", uri, want)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(7)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodes || len(hashes) != RecoveryCodes {
		t.Fatalf("%d codes, %d hashes", len(codes), len(hashes))
	}
	seen := map[string]bool{}
	for i, c := range codes {
		n := NormalizeCode(" " + strings.ToUpper(c) + " ")
		if !IsRecoveryCode(n) || HashRecoveryCode(7, n) != hashes[i] || seen[n] {
			t.Errorf("code %q: normalised %q, recovery %v", c, n, IsRecoveryCode(n))
		}
		if HashRecoveryCode(8, n) == hashes[i] {
			t.Errorf("code %q hashes the same for another account", c)
		}
		seen[n] = true
	}
	for _, bad := range []string{"", "123456", strings.Repeat("a", 15), strings.Repeat("a", 17), strings.Repeat("1", 16), strings.Repeat("a", 65)} {
		if IsRecoveryCode(NormalizeCode(bad)) {
			t.Errorf("%q passes for a recovery code", bad)
		}
	}
}

func TestSealer(t *testing.T) {
	s, err := newSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.seal(3, rfcSeed)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.open(3, sealed); err != nil || string(got) != string(rfcSeed) {
		t.Errorf("open: %q %v", got, err)
	}
	for name, c := range map[string]struct {
		user   int64
		sealed string
	}{
		"another account": {4, sealed},
		"not base64":      {3, "!!"},
		"too short":       {3, "AAAA"},
		"tampered":        {3, map[bool]string{true: "B", false: "A"}[sealed[0] == 'A'] + sealed[1:]},
	} {
		if _, err := s.open(c.user, c.sealed); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}
