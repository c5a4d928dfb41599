package store_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// BenchmarkAnalyticsQueries loads a month of an outlet's traffic, 10
// million page views (KHABAR_BENCH_VIEWS to change it) over 3,000
// articles (100 a day, read mostly in their first two days), and times
// the desk's two questions: the last 30 minutes (the top articles from
// the minute roll-up, views and visitors from the raw hits) and the last
// 30 days (the top articles from the daily roll-up), the desk's figures
// of 30 days (by section, author, referrer and day) and of the month's
// most read article over 7 days, and the minute's «الأكثر قراءة»
// refresh, reporting p50/p95/max in ms and the views
// loaded.
//
// The last day is loaded as raw hits through AddHits, as nodes write
// them; older days as roll-ups through AddViews, by the minute for the
// two days the minute roll-up keeps and by the hour before, then the
// clean-up runs as it would.
//
//	go test ./internal/store -run XXX -bench AnalyticsQueries -benchtime 200x -timeout 60m
func BenchmarkAnalyticsQueries(b *testing.B) {
	total := 10_000_000
	if v, err := strconv.Atoi(os.Getenv("KHABAR_BENCH_VIEWS")); err == nil && v > 0 {
		total = v
	}
	for _, be := range storetest.Backends {
		b.Run(be.Name, func(b *testing.B) {
			s := be.Open(b)
			ctx := context.Background()
			now := time.Now().UTC()
			start := time.Now()
			loaded := loadTraffic(b, s, now, total)
			took := time.Since(start)
			top, err := s.TopArticles(ctx, store.ByDay, now.Truncate(24*time.Hour).Add(-29*24*time.Hour), now.Truncate(24*time.Hour).Add(24*time.Hour), 0, 1)
			if err != nil || len(top) == 0 {
				b.Fatalf("the month's most read: %v %v", top, err)
			}
			busiest := top[0].ArticleID
			for _, q := range []struct {
				name string
				run  func() error
			}{
				{"last-30-minutes", func() error {
					from := now.Add(-30 * time.Minute).Truncate(time.Minute)
					if _, err := s.TopArticles(ctx, store.ByMinute, from, now.Add(time.Minute), 0, 10); err != nil {
						return err
					}
					_, err := s.AudienceBetween(ctx, from, now.Add(time.Minute))
					return err
				}},
				{"last-30-days", func() error {
					today := now.Truncate(24 * time.Hour)
					_, err := s.TopArticles(ctx, store.ByDay, today.Add(-29*24*time.Hour), today.Add(24*time.Hour), 0, 10)
					return err
				}},
				// The desk's period figures (/admin/stats, 30 days): by
				// section, by author, by referrer, over time, and one
				// article's and one writer's.
				{"desk-30-days", func() error {
					today := now.Truncate(24 * time.Hour)
					f := store.Readership{Grain: store.ByDay, From: today.Add(-29 * 24 * time.Hour), To: today.Add(24 * time.Hour)}
					if _, err := s.ViewsBySection(ctx, f); err != nil {
						return err
					}
					if _, err := s.ViewsByAuthor(ctx, f); err != nil {
						return err
					}
					if _, err := s.ReferrerViews(ctx, f); err != nil {
						return err
					}
					_, err := s.ViewsOverTime(ctx, f)
					return err
				}},
				{"article-7-days", func() error {
					hour := now.Truncate(time.Hour).Add(time.Hour)
					f := store.Readership{Grain: store.ByHour, From: hour.Add(-7 * 24 * time.Hour), To: hour, Article: busiest}
					if _, err := s.ViewsOverTime(ctx, f); err != nil {
						return err
					}
					_, err := s.ReferrerViews(ctx, f)
					return err
				}},
				{"most-read-refresh", func() error {
					_, err := s.RefreshMostRead(ctx, now.Add(-24*time.Hour), now, 5)
					return err
				}},
			} {
				b.Run(q.name, func(b *testing.B) {
					var times []time.Duration
					for b.Loop() {
						t0 := time.Now()
						if err := q.run(); err != nil {
							b.Fatal(err)
						}
						times = append(times, time.Since(t0))
					}
					storetest.ReportLatency(b, times)
					b.ReportMetric(float64(loaded), "views")
					b.ReportMetric(took.Seconds(), "load-s")
				})
			}
		})
	}
}

// loadTraffic writes total views over the 30 days before now and says
// how many it wrote.
func loadTraffic(b *testing.B, s *store.Store, now time.Time, total int) int {
	ctx := context.Background()
	f := storetest.Seed(b, s)
	secs := slices.Clone(f.Sections)
	for i := range 6 {
		sec := news.Section{Name: "قسم " + strconv.Itoa(i), Slug: "s" + strconv.Itoa(i), Position: 2 + i}
		if err := s.CreateSection(ctx, &sec); err != nil {
			b.Fatal(err)
		}
		secs = append(secs, sec)
	}
	// Two days more of articles than of views: the first hours have
	// articles to read too.
	const days, perDay = 30, 100
	type art struct {
		id, section int64
		at          time.Time
	}
	arts := make([]art, 0, (days+2)*perDay)
	first := now.Add(-(days + 2) * 24 * time.Hour)
	for i := range (days + 2) * perDay {
		a := f.Article("خبر رقم " + strconv.Itoa(i))
		a.Body = a.Body[:1]
		a.SectionID = secs[i%len(secs)].ID
		a.Status, a.PublishedAt = news.StatusPublished, first.Add(time.Duration(i)*24*time.Hour/perDay)
		if err := s.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
		arts = append(arts, art{a.ID, a.SectionID, a.PublishedAt})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	groups := []string{"direct", "internal", "whatsapp", "telegram", "facebook", "x", "google", "google-news", "other"}
	hours := days * 24
	perHour := total / hours
	written := 0
	var hits []store.Hit
	var views []store.Views
	flush := func() {
		if len(hits) > 0 {
			if err := s.AddHits(ctx, hits); err != nil {
				b.Fatal(err)
			}
			hits = hits[:0]
		}
		if len(views) > 0 {
			if err := s.AddViews(ctx, views); err != nil {
				b.Fatal(err)
			}
			views = views[:0]
		}
	}
	for h := range hours {
		hour := now.Truncate(time.Hour).Add(time.Duration(h-hours+1) * time.Hour)
		// Articles of the two days before this hour, newer ones read more.
		lo, _ := slices.BinarySearchFunc(arts, hour.Add(-48*time.Hour), func(a art, t time.Time) int { return a.at.Compare(t) })
		hi, _ := slices.BinarySearchFunc(arts, hour, func(a art, t time.Time) int { return a.at.Compare(t) })
		if hi == lo {
			continue
		}
		age := now.Sub(hour)
		sums := map[store.Views]int64{}
		for range perHour {
			// Squaring the draw favours the newest of the window.
			x := rng.Float64()
			a := arts[hi-1-int(x*x*float64(hi-lo))]
			kind, article, section := "article", a.id, a.section
			switch r := rng.IntN(20); {
			case r < 3:
				kind, article, section = "home", 0, 0
			case r < 4:
				kind, article = "section", 0
			}
			at := hour
			if age <= store.MinuteKeep {
				at = hour.Add(time.Duration(rng.IntN(60)) * time.Minute)
			}
			group := groups[rng.IntN(len(groups))]
			if age <= 24*time.Hour {
				hits = append(hits, store.Hit{At: at.Add(time.Duration(rng.IntN(60)) * time.Second), Visitor: rng.Int64N(60_000),
					Kind: kind, ArticleID: article, SectionID: section, Referrer: group})
			} else {
				sums[store.Views{At: at, Kind: kind, ArticleID: article, SectionID: section, Referrer: group}]++
			}
			written++
		}
		for k, n := range sums {
			k.Views = n
			views = append(views, k)
		}
		if len(hits) >= 20_000 || len(views) >= 20_000 {
			flush()
		}
	}
	flush()
	if _, err := s.DeleteOldAnalytics(ctx, now, 7*24*time.Hour); err != nil {
		b.Fatal(err)
	}
	// As a database that has run a while has its statistics.
	if _, err := s.DB().ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return written
}
