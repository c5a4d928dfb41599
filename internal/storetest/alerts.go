package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// testPublishAlertTakenOnce: the newsroom and the outbox's consumer take
// an article's alert request at the same moment of its publication; one
// alert is made, whoever wins.
func testPublishAlertTakenOnce(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("خبر بتنبيه واحد")
	a.Status = news.StatusPublished
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPublishAlert(ctx, a.ID, []string{"telegram"}, news.Actor{Name: "محرر"}); err != nil {
		t.Fatal(err)
	}
	const takers = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		made  int
		start = make(chan struct{})
	)
	for range takers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			alert, err := s.TakePublishAlert(ctx, a.ID, func(channels []string, by news.Actor) *news.Alert {
				// A build that takes a while holds the transaction open,
				// so the other takers come while it has not committed.
				time.Sleep(20 * time.Millisecond)
				return &news.Alert{Title: a.Headline, URL: "https://khabar.test/news/1", Urgency: "normal", Topic: "breaking",
					Channels: channels, ArticleID: a.ID, CreatedBy: by}
			})
			if err != nil {
				t.Error(err)
				return
			}
			if alert != nil {
				mu.Lock()
				made++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	alerts, err := s.ListAlerts(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if made != 1 || len(alerts) != 1 {
		t.Errorf("%d takers made %d alerts; stored: %d", takers, made, len(alerts))
	}
}
