package jobs

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestAnalyticsJobs: with analytics, the queue computes «الأكثر قراءة»
// when it starts (and every minute), and the hourly clean-up deletes raw
// views past --analytics-keep-raw.
func TestAnalyticsJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := storetest.Seed(t, s)
		a := f.Article("خبر يقرؤه الناس")
		a.Status, a.PublishedAt = news.StatusPublished, time.Now().Add(-time.Hour)
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		hit := store.Hit{At: now, Visitor: 1, Kind: "article", ArticleID: a.ID, SectionID: a.SectionID, Referrer: "direct"}
		old := hit
		old.At = now.Add(-8 * 24 * time.Hour)
		if err := s.AddHits(ctx, []store.Hit{hit, old}); err != nil {
			t.Fatal(err)
		}
		var deleted atomic.Int64
		startQueueWith(t, s, slog.New(&counting{msgs: map[string]*atomic.Int64{"old page views deleted": &deleted}}),
			WithAnalytics(Analytics{KeepRaw: 7 * 24 * time.Hour, MostRead: 24 * time.Hour, MostReadLength: 5}))
		// The old view's raw row and its minute.
		eventually(t, "old page views deleted", func() bool { return deleted.Load() == 2 })
		eventually(t, "most read computed", func() bool {
			list, err := s.MostRead(ctx, 0)
			return err == nil && len(list) == 1 && list[0].ID == a.ID
		})
		aud, err := s.AudienceBetween(ctx, now.Add(-time.Hour), now.Add(time.Minute))
		if err != nil || aud.Views != 1 {
			t.Errorf("today's view after the clean-up: %+v, %v", aud, err)
		}
	})
}
