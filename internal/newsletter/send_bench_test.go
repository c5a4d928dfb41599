package newsletter_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"khabar/internal/alert/alerttest"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

// BenchmarkSend mails an issue to 5,000 confirmed subscribers through the
// in-process SMTP server, as the job queue does: batches of 500, two
// batches at once (the newsletters queue's workers), each recipient
// claimed and recorded in the database. It reports mails per second.
//
//	go test ./internal/newsletter -run '^$' -bench Send -benchtime 1x
func BenchmarkSend(b *testing.B) {
	const recipients = 5000
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			s := be.Open(b)
			r := newRig(b, s, alerttest.SMTPOptions{})
			r.svc.BatchSize = 500
			first, _ := r.issueFor(b, recipients)
			l, err := s.GetNewsletterList(context.Background(), first.ListID)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			sent := 0
			b.ResetTimer()
			for i := range b.N {
				is, err := r.svc.Draft(ctx, l, first.Slot.Add(time.Duration(i+1)*24*time.Hour))
				if err != nil {
					b.Fatal(err)
				}
				r.batches = nil
				if err := r.svc.Start(ctx, is.ID, news.Actor{Name: "bench"}); err != nil {
					b.Fatal(err)
				}
				work := make(chan int64)
				var wg sync.WaitGroup
				for range 2 {
					wg.Go(func() {
						for id := range work {
							if err := r.svc.SendBatch(ctx, id, false); err != nil {
								b.Error(err)
							}
						}
					})
				}
				for _, bt := range r.batches {
					work <- bt.ID
				}
				close(work)
				wg.Wait()
				stats, err := s.NewsletterStats(ctx, is.ID)
				if err != nil || stats.Sent != recipients {
					b.Fatalf("sent %+v, %v", stats, err)
				}
				sent += stats.Sent
			}
			b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "mails/s")
		})
	}
}
