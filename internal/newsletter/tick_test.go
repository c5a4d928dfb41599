package newsletter_test

import (
	"context"
	"testing"
	"time"

	"khabar/internal/alert/alerttest"
	"khabar/internal/news"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestTick: the scheduler keeps the next issue built, starts it when its
// time comes (once, however often it ticks), leaves a disabled list and a
// slot missed long ago alone, and hands the queue batches that lost their
// job.
func TestTick(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newRig(t, s, alerttest.SMTPOptions{})
		loc := settings.Defaults().DateFormat().Location
		daily := &news.NewsletterList{Name: "اليومية", Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: true}
		off := &news.NewsletterList{Name: "موقوفة", Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: false}
		for _, l := range []*news.NewsletterList{daily, off} {
			if err := s.SaveNewsletterList(ctx, l, news.Actor{Name: "test"}); err != nil {
				t.Fatal(err)
			}
			if err := s.AddNewsletterSubscriber(ctx, "a@example.com", []int64{l.ID}); err != nil {
				t.Fatal(err)
			}
			if err := s.ConfirmNewsletterSubscriber(ctx, "a@example.com", []int64{l.ID}); err != nil {
				t.Fatal(err)
			}
		}
		slot := time.Date(2026, 12, 8, 7, 0, 0, 0, loc)
		f := storetest.Seed(t, s)
		// A draft of a slot two days back, never sent (no node ran then).
		stale, err := r.svc.Draft(ctx, daily, slot.Add(-48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.svc.Tick(ctx, slot.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		issues, err := s.NewsletterIssues(ctx, daily.ID, 10)
		if err != nil || len(issues) != 2 || !issues[0].Slot.Equal(slot) || issues[0].Status != news.IssueDraft {
			t.Fatalf("before the time: %+v, %v", issues, err)
		}
		if offIssues, _ := s.NewsletterIssues(ctx, off.ID, 10); len(offIssues) != 0 {
			t.Errorf("the disabled list has issues: %+v", offIssues)
		}
		if len(r.batches) != 0 {
			t.Fatalf("batches before the time: %+v", r.batches)
		}
		// At the time with no story in its period: nothing goes out.
		if err := r.svc.Tick(ctx, slot.Add(10*time.Second)); err != nil {
			t.Fatal(err)
		}
		if is, _ := s.GetNewsletterIssue(ctx, issues[0].ID); is.Status != news.IssueDraft || len(r.batches) != 0 {
			t.Fatalf("an issue without stories: %s, batches %+v", is.Status, r.batches)
		}
		story := f.Article("خبر الصباح")
		story.Status, story.PublishedAt = news.StatusPublished, slot.Add(-time.Hour)
		if err := s.CreateArticle(ctx, story); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := r.svc.Tick(ctx, slot.Add(30*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		is, err := s.GetNewsletterIssue(ctx, issues[0].ID)
		if err != nil || is.Status != news.IssueSending {
			t.Fatalf("at the time: %+v, %v", is, err)
		}
		// One batch, handed to the queue when started and again by every
		// tick until done (the queue keeps one job per batch).
		if len(r.batches) != 3 || r.batches[0].ID != r.batches[1].ID || r.batches[1].ID != r.batches[2].ID {
			t.Fatalf("batches: %+v", r.batches)
		}
		if st, _ := s.GetNewsletterIssue(ctx, stale.ID); st.Status != news.IssueDraft {
			t.Errorf("the missed slot's issue is %s", st.Status)
		}
		if err := r.svc.SendBatch(ctx, r.batches[0].ID, false); err != nil {
			t.Fatal(err)
		}
		r.batches = nil
		if err := r.svc.Tick(ctx, slot.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := r.received(); len(r.batches) != 0 || got["a@example.com"] != 1 {
			t.Errorf("after sending: batches %+v, mails %v", r.batches, got)
		}
	})
}
