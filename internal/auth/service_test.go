package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestService: signing in and out, throttling and tokens, on both
// databases, as the newsroom and the API use them.
func TestService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := auth.NewService(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		u, _ := storetest.Staff(t, s, auth.RoleEditor)

		if _, err := svc.Login(ctx, "nobody@khabar.test", storetest.Password, "192.0.2.1"); !errors.Is(err, auth.ErrBadLogin) {
			t.Errorf("unknown account: %v", err)
		}
		if _, err := svc.Login(ctx, u.Email, "wrong password", "192.0.2.1"); news.KindOf(err) != news.KindUnauthenticated {
			t.Errorf("wrong password: %v", err)
		}
		in, err := svc.Login(ctx, " "+u.Email+" ", storetest.Password, "192.0.2.1")
		token, who := in.Token, in.User
		if err != nil || who.ID != u.ID || in.NeedsCode {
			t.Fatalf("login: %+v, %v", in, err)
		}
		if got, err := svc.Session(ctx, token); err != nil || got.ID != u.ID {
			t.Errorf("session: %+v, %v", got, err)
		}
		for _, bad := range []string{"", "not-a-token", string(make([]byte, 200))} {
			if _, err := svc.Session(ctx, bad); !errors.Is(err, news.ErrNotFound) {
				t.Errorf("session %.10q: %v", bad, err)
			}
		}
		if err := svc.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Session(ctx, token); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("session after logout: %v", err)
		}

		if err := svc.Reauthenticate(ctx, &auth.User{ID: u.ID, Email: "other@khabar.test", PasswordHash: who.PasswordHash}, "wrong"); !errors.Is(err, auth.ErrBadPassword) {
			t.Errorf("reauthenticate with a wrong password: %v", err)
		}

		api := storetest.APIToken(t, s, u)
		if got, err := svc.Bearer(ctx, " "+api+" "); err != nil || got.ID != u.ID {
			t.Errorf("bearer: %+v, %v", got, err)
		}
		for _, bad := range []string{"", "forged", api + "x"} {
			if _, err := svc.Bearer(ctx, bad); news.KindOf(err) != news.KindUnauthenticated {
				t.Errorf("bearer %q: %v", bad, err)
			}
		}
	})
}

// TestLoginThrottle: budgets belong to (account, address) pairs and to
// addresses, IPv6 ones by /64, never to the account alone: failures from
// one address cannot lock the account's holder out from another.
func TestLoginThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := auth.NewService(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		auth.SlowRefill(svc)
		u, _ := storetest.Staff(t, s, auth.RoleEditor)
		login := func(pw, ip string) error { _, err := svc.Login(ctx, u.Email, pw, ip); return err }

		for i := range 6 {
			if err := login("guess", "198.51.100.1"); i < 5 && !errors.Is(err, auth.ErrBadLogin) || i == 5 && !errors.Is(err, news.ErrTooMany) {
				t.Errorf("guess %d from A: %v", i+1, err)
			}
		}
		for _, c := range []struct {
			name, ip string
			want     error // nil: signed in
		}{
			{"right password from A after six wrong", "198.51.100.1", news.ErrTooMany},
			{"right password from B", "198.51.100.2", nil},
			{"right password from B again", "198.51.100.2", nil},
		} {
			if err := login(storetest.Password, c.ip); !errors.Is(err, c.want) || c.want == nil && err != nil {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}

		// IPv6: one /64 is one client.
		for range 5 {
			login("guess", "2001:db8:1:2::1")
		}
		if err := login(storetest.Password, "2001:db8:1:2:ffff::9"); !errors.Is(err, news.ErrTooMany) {
			t.Errorf("another address of the same /64: %v", err)
		}
		if err := login(storetest.Password, "2001:db8:1:3::1"); err != nil {
			t.Errorf("the next /64: %v", err)
		}

		// An address spraying accounts runs out of its own budget (20),
		// whatever accounts it names, right passwords included.
		other, _ := storetest.Staff(t, s, auth.RoleWriter)
		for i := range 20 {
			if _, err := svc.Login(ctx, fmt.Sprintf("nobody%d@khabar.test", i), "guess", "203.0.113.9"); !errors.Is(err, auth.ErrBadLogin) {
				t.Fatalf("spray %d: %v", i+1, err)
			}
		}
		if _, err := svc.Login(ctx, other.Email, storetest.Password, "203.0.113.9"); !errors.Is(err, news.ErrTooMany) {
			t.Errorf("a right password from a spraying address: %v", err)
		}
		if _, err := svc.Login(ctx, other.Email, storetest.Password, "203.0.113.10"); err != nil {
			t.Errorf("the same account from elsewhere: %v", err)
		}
	})
}

// TestLoginBurst: ten failures within the window, from any addresses,
// are one burst: one audit entry and the holder's notice, however many
// failures follow.
func TestLoginBurst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := auth.NewService(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		u, _ := storetest.Staff(t, s, auth.RoleAdmin)
		bursts := func() []news.AuditEntry {
			t.Helper()
			log, err := s.AuditLog(ctx, 1000, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []news.AuditEntry
			for _, e := range log {
				if e.Action == "login.burst" {
					out = append(out, e)
				}
			}
			return out
		}
		for i := range 14 {
			svc.Login(ctx, u.Email, "guess", fmt.Sprintf("198.51.100.%d", 1+i%4))
			if got, want := len(bursts()), map[bool]int{true: 1, false: 0}[i >= 9]; got != want {
				t.Fatalf("after %d failures: %d burst entries, want %d", i+1, got, want)
			}
		}
		b := bursts()[0]
		if b.Target != "user "+strconv.FormatInt(u.ID, 10) || b.Detail != "login_burst:10:4" {
			t.Errorf("burst entry: %+v", b)
		}
		got, err := s.UserByID(ctx, u.ID)
		if err != nil || !got.LoginNotice || got.LoginBurstAt.IsZero() {
			t.Fatalf("after a burst: %+v %v", got, err)
		}
		if err := s.DismissLoginNotice(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, u.ID); got.LoginNotice || got.LoginBurstAt.IsZero() {
			t.Errorf("after dismissing: %+v", got)
		}
		// Another node noticing the same burst writes nothing more.
		if noted, err := s.NoteLoginBurst(ctx, u.ID, 10, 1, 15*time.Minute); noted || err != nil {
			t.Errorf("the same burst noted twice: %v %v", noted, err)
		}
	})
}

// now is the code of secret at this moment, as an authenticator shows it.
func now(secret []byte) string { return auth.TOTPCode(secret, auth.TOTPStep(time.Now())) }

// wrong is code with its first digit changed.
func wrong(code string) string { return string('0'+(code[0]-'0'+1)%10) + code[1:] }

// TestTwoFactor: enrolment confirmed by a first code, sign-in in two
// steps, codes good once, recovery codes single use, hostile codes
// refused, and turning it off with the password.
func TestTwoFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := auth.NewService(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		auth.SlowRefill(svc)
		u, _ := storetest.Staff(t, s, auth.RoleEditor)
		const ip = "192.0.2.1"

		if _, err := svc.ConfirmTOTP(ctx, u, "123456"); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("confirming with nothing enrolled: %v", err)
		}
		secret, err := svc.BeginTOTP(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if pending, err := svc.PendingTOTP(ctx, u); err != nil || string(pending) != string(secret) {
			t.Fatalf("pending secret: %x %v", pending, err)
		}
		st, err := s.TwoFactor(ctx, u.ID)
		if err != nil || st.Pending == "" || strings.Contains(st.Pending, strings.ReplaceAll(auth.FormatTOTPSecret(secret), " ", "")) {
			t.Fatalf("stored pending secret, not sealed: %+v %v", st, err)
		}
		if in, err := svc.Login(ctx, u.Email, storetest.Password, ip); err != nil || in.NeedsCode {
			t.Fatalf("login before the first code: %+v %v", in, err)
		}
		if _, err := svc.ConfirmTOTP(ctx, u, wrong(now(secret))); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("confirming with a wrong code: %v", err)
		}
		first := now(secret)
		codes, err := svc.ConfirmTOTP(ctx, u, first)
		if err != nil || len(codes) != auth.RecoveryCodes {
			t.Fatalf("confirm: %d codes, %v", len(codes), err)
		}

		// The password now opens a half-open session only.
		half := func() string {
			t.Helper()
			in, err := svc.Login(ctx, u.Email, storetest.Password, ip)
			if err != nil || !in.NeedsCode || in.Token == "" {
				t.Fatalf("login with two-factor on: %+v %v", in, err)
			}
			if _, err := svc.Session(ctx, in.Token); !errors.Is(err, news.ErrNotFound) {
				t.Fatalf("a half-open session signs in: %v", err)
			}
			return in.Token
		}
		// The code that confirmed the enrolment is used already.
		if _, err := svc.SecondFactor(ctx, half(), first, ip); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("the enrolment's code again: %v", err)
		}
		next := auth.TOTPCode(secret, auth.TOTPStep(time.Now())+1)
		token := half()
		in, err := svc.SecondFactor(ctx, token, next[:3]+" "+next[3:], ip)
		if err != nil || in.Token == token {
			t.Fatalf("second factor: %+v %v", in, err)
		}
		if got, err := svc.Session(ctx, in.Token); err != nil || got.ID != u.ID || !got.TwoFactor {
			t.Errorf("session after the code: %+v %v", got, err)
		}
		if _, err := svc.SecondFactor(ctx, token, next, ip); !errors.Is(err, auth.ErrSignInExpired) {
			t.Errorf("the half-open token again: %v", err)
		}
		if _, err := svc.SecondFactor(ctx, half(), next, ip); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("a code replayed: %v", err)
		}

		// Recovery codes, each once, typed any way.
		if _, err := svc.SecondFactor(ctx, half(), strings.ToUpper(codes[0]), ip); err != nil {
			t.Errorf("recovery code: %v", err)
		}
		if _, err := svc.SecondFactor(ctx, half(), codes[0], ip); !errors.Is(err, auth.ErrBadCode) {
			t.Errorf("a recovery code twice: %v", err)
		}
		if left, err := s.RecoveryCodesLeft(ctx, u.ID); err != nil || left != auth.RecoveryCodes-1 {
			t.Errorf("recovery codes left: %d %v", left, err)
		}

		// Hostile input: forged tokens, garbage codes.
		for _, tok := range []string{"", "forged", strings.Repeat("x", 5000)} {
			if _, err := svc.SecondFactor(ctx, tok, next, ip); !errors.Is(err, auth.ErrSignInExpired) {
				t.Errorf("token %.10q: %v", tok, err)
			}
		}
		for _, code := range []string{"", strings.Repeat("9", 10000), "١٢٣٤٥٦", "abcd-efgh-ijkl-mnop"} {
			if _, err := svc.SecondFactor(ctx, half(), code, ip); !errors.Is(err, auth.ErrBadCode) {
				t.Errorf("code %.12q: %v", code, err)
			}
		}
		// Five wrong codes since the last right one (the recovery code
		// twice, then these) spend the account's budget: even a right
		// one waits.
		if _, err := svc.SecondFactor(ctx, half(), codes[1], ip); !errors.Is(err, news.ErrTooMany) {
			t.Errorf("a code after five wrong ones: %v", err)
		}

		if err := svc.DisableTOTP(ctx, u, "wrong password"); !errors.Is(err, auth.ErrBadPassword) {
			t.Errorf("turning off without the password: %v", err)
		}
		if err := svc.DisableTOTP(ctx, u, storetest.Password); err != nil {
			t.Fatal(err)
		}
		if in, err := svc.Login(ctx, u.Email, storetest.Password, ip); err != nil || in.NeedsCode {
			t.Errorf("login after turning off: %+v %v", in, err)
		}
		if left, _ := s.RecoveryCodesLeft(ctx, u.ID); left != 0 {
			t.Errorf("%d recovery codes left after turning off", left)
		}
	})
}
