package newsletter_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/alert"
	"khabar/internal/alert/alerttest"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/newsletter"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// rig is a newsletter service on a real store and a real SMTP server.
type rig struct {
	svc     *newsletter.Service
	smtp    *alerttest.SMTPServer
	mu      sync.Mutex
	batches []news.NewsletterBatch
}

func newRig(t testing.TB, s *store.Store, opts alerttest.SMTPOptions) *rig {
	t.Helper()
	srv, err := alerttest.NewSMTPServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	email, err := alert.NewEmail(alert.EmailConfig{Addr: srv.Addr, From: "خبر <news@khabar.test>", Timeout: 10 * time.Second,
		Texts: func() alert.EmailTexts { return alert.EmailTexts{} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(email.Close)
	key := make([]byte, 32)
	rand.Read(key)
	tokens, err := alert.NewTokens(key)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{smtp: srv}
	r.svc = &newsletter.Service{Store: s, Email: email, Tokens: tokens, Base: "https://khabar.test", Cat: locale.For("ar"),
		Dates: settings.Defaults().DateFormat, SiteName: func() string { return "خبر" }, BatchSize: 10,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Enqueue: func(_ context.Context, bs []news.NewsletterBatch) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.batches = append(r.batches, bs...)
			return nil
		}}
	return r
}

// issueFor makes a daily list with n confirmed subscribers (r0@… to
// r<n-1>@…) and a started issue of it; it returns the issue's batches.
func (r *rig) issueFor(t testing.TB, n int) (*news.NewsletterIssue, []news.NewsletterBatch) {
	t.Helper()
	ctx := context.Background()
	s := r.svc.Store
	l := &news.NewsletterList{Name: "الموجز اليومي", Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: true}
	if err := s.SaveNewsletterList(ctx, l, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		email := fmt.Sprintf("r%d@example.com", i)
		if err := s.AddNewsletterSubscriber(ctx, email, []int64{l.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmNewsletterSubscriber(ctx, email, []int64{l.ID}); err != nil {
			t.Fatal(err)
		}
	}
	// One that never confirmed gets nothing.
	if err := s.AddNewsletterSubscriber(ctx, "unconfirmed@example.com", []int64{l.ID}); err != nil {
		t.Fatal(err)
	}
	is, err := r.svc.Draft(ctx, l, time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	r.batches = nil
	r.mu.Unlock()
	if err := r.svc.Start(ctx, is.ID, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return is, r.batches
}

// received counts the mails each address got.
func (r *rig) received() map[string]int {
	got := map[string]int{}
	for _, m := range r.smtp.Mails() {
		for _, to := range m.To {
			got[to]++
		}
	}
	return got
}

func issueStatus(t testing.TB, s *store.Store, id int64) string {
	t.Helper()
	is, err := s.GetNewsletterIssue(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return is.Status
}

// TestSendOnceEach runs every batch twice at once and again after: each
// confirmed subscriber gets one mail, the unconfirmed none, and the issue
// ends sent.
func TestSendOnceEach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s, alerttest.SMTPOptions{})
		is, batches := r.issueFor(t, 25)
		if len(batches) != 3 {
			t.Fatalf("%d batches for 25 recipients in tens, want 3", len(batches))
		}
		ctx := context.Background()
		var wg sync.WaitGroup
		for _, b := range batches {
			for range 2 {
				wg.Go(func() {
					if err := r.svc.SendBatch(ctx, b.ID, false); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
		for _, b := range batches {
			if err := r.svc.SendBatch(ctx, b.ID, false); err != nil {
				t.Fatal(err)
			}
		}
		got := r.received()
		if len(got) != 25 || got["unconfirmed@example.com"] != 0 {
			t.Fatalf("recipients: %v", got)
		}
		for to, n := range got {
			if n != 1 {
				t.Errorf("%s got %d mails", to, n)
			}
		}
		if st := issueStatus(t, s, is.ID); st != news.IssueSent {
			t.Errorf("issue is %s", st)
		}
		stats, err := s.NewsletterStats(ctx, is.ID)
		if err != nil || stats.Sent != 25 {
			t.Errorf("stats %+v, %v", stats, err)
		}
	})
}

// TestResumeAfterCancel stops a batch midway (the node shutting down),
// then runs it again, as River does on any node: nobody is mailed twice
// and everybody once.
func TestResumeAfterCancel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var seen atomic.Int64
		r := newRig(t, s, alerttest.SMTPOptions{RejectRcpt: func(string) string {
			if seen.Add(1) == 4 {
				cancel()
			}
			return ""
		}})
		r.svc.BatchSize, r.svc.Workers = 100, 2
		is, batches := r.issueFor(t, 30)
		err := r.svc.SendBatch(ctx, batches[0].ID, false)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled batch: %v", err)
		}
		first := len(r.smtp.Mails())
		if first == 0 || first >= 30 {
			t.Fatalf("%d mails before the stop, want some", first)
		}
		if st := issueStatus(t, s, is.ID); st != news.IssueSending {
			t.Fatalf("issue is %s after the stop", st)
		}
		if err := r.svc.SendBatch(context.Background(), batches[0].ID, false); err != nil {
			t.Fatal(err)
		}
		got := r.received()
		if len(got) != 30 {
			t.Fatalf("%d recipients, want 30", len(got))
		}
		for to, n := range got {
			if n != 1 {
				t.Errorf("%s got %d mails", to, n)
			}
		}
		if st := issueStatus(t, s, is.ID); st != news.IssueSent {
			t.Errorf("issue is %s", st)
		}
	})
}

// TestCrashLeavesClaim: a recipient claimed by a node that died before
// recording the outcome is not mailed again (at most once).
func TestCrashLeavesClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s, alerttest.SMTPOptions{})
		is, batches := r.issueFor(t, 3)
		ctx := context.Background()
		list, err := s.NewsletterRecipients(ctx, &batches[0], 0, 10)
		if err != nil || len(list) != 3 {
			t.Fatalf("recipients %v, %v", list, err)
		}
		if ok, err := s.ClaimNewsletterDelivery(ctx, is.ID, list[1].ID); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if err := r.svc.SendBatch(ctx, batches[0].ID, false); err != nil {
			t.Fatal(err)
		}
		got := r.received()
		if len(got) != 2 || got[list[1].Email] != 0 {
			t.Fatalf("recipients: %v", got)
		}
	})
}

// TestRefusals: "no such user" (5xx, 5.1.x) to RCPT TO suppresses the
// address for every later issue; a refusal for policy (5.7.x) records the
// delivery failed and leaves the address alone; a 4xx releases the
// recipient for the next attempt, and the last attempt records them
// failed; a suppressed address is skipped.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var busy atomic.Bool
		busy.Store(true)
		r := newRig(t, s, alerttest.SMTPOptions{RejectRcpt: func(addr string) string {
			switch {
			case addr == "r0@example.com":
				return "550 5.1.1 no such user"
			case addr == "r1@example.com" && busy.Load():
				return "451 4.3.0 try again later"
			case addr == "r4@example.com":
				return "550 5.7.1 message refused by policy"
			}
			return ""
		}})
		ctx := context.Background()
		if err := s.Suppress(ctx, "R2@example.com", "complaint"); err != nil {
			t.Fatal(err)
		}
		is, batches := r.issueFor(t, 5)
		err := r.svc.SendBatch(ctx, batches[0].ID, false)
		if !errors.Is(err, newsletter.ErrRetryLater) {
			t.Fatalf("batch with a 4xx: %v", err)
		}
		if got := r.received(); len(got) != 1 || got["r3@example.com"] != 1 {
			t.Fatalf("delivered: %v", got)
		}
		if ok, _ := s.Suppressed(ctx, "r0@example.com"); !ok {
			t.Error("the 5xx address is not suppressed")
		}
		if ok, _ := s.Suppressed(ctx, "r4@example.com"); ok {
			t.Error("an address refused for policy is suppressed as if it did not exist")
		}
		busy.Store(false)
		if err := r.svc.SendBatch(ctx, batches[0].ID, false); err != nil {
			t.Fatal(err)
		}
		got := r.received()
		if len(got) != 2 || got["r1@example.com"] != 1 || got["r0@example.com"] != 0 || got["r2@example.com"] != 0 {
			t.Fatalf("delivered after the retry: %v", got)
		}
		stats, _ := s.NewsletterStats(ctx, is.ID)
		if stats.Sent != 2 || stats.Bounced != 1 || stats.Failed != 1 {
			t.Errorf("stats %+v", stats)
		}
		// The next issue skips the suppressed addresses from the start.
		is2, err := r.svc.Draft(ctx, &news.NewsletterList{ID: is.ListID, Name: "x", Cadence: news.CadenceDaily}, is.Slot.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		r.mu.Lock()
		r.batches = nil
		r.mu.Unlock()
		if err := r.svc.Start(ctx, is2.ID, news.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		busy.Store(true)
		err = r.svc.SendBatch(ctx, r.batches[0].ID, true) // the last attempt
		if err != nil {
			t.Fatal(err)
		}
		stats, _ = s.NewsletterStats(ctx, is2.ID)
		// r1 fails on the last attempt, r4 is refused for policy again.
		if stats.Sent != 1 || stats.Failed != 2 || stats.Bounced != 0 || issueStatus(t, s, is2.ID) != news.IssueSent {
			t.Errorf("second issue: %+v, %s", stats, issueStatus(t, s, is2.ID))
		}
	})
}

// TestCheckAddress: what a reader may type.
func TestCheckAddress(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"Reader@Example.com", "reader@example.com", true},
		{"  a@b.co ", "a@b.co", true},
		{"", "", false},
		{"not an address", "", false},
		{"a@b.com\r\nBcc: victim@example.com", "", false},
		{"a@b.com\nBcc: x@y.z", "", false},
		{"Name <a@b.com>", "", false},
		{"a@b.com, c@d.com", "", false},
		{strings.Repeat("a", 250) + "@b.com", "", false},
	} {
		got, err := newsletter.CheckAddress(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("CheckAddress(%q) = %q, %v", c.in, got, err)
		}
	}
}
