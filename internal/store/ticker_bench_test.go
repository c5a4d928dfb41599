package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// BenchmarkMoveTicker is one "up" or "down" click on a ticker of 20 lines
// on show, with none or 2,000 expired lines behind them (as years of
// agency feeds leave): a move reads and rewrites only the lines on show,
// so both should cost the same.
func BenchmarkMoveTicker(b *testing.B) {
	for _, be := range storetest.Backends {
		for _, expired := range []int{0, 2000} {
			b.Run(be.Name+"/expired="+strconv.Itoa(expired), func(b *testing.B) {
				s := be.Open(b)
				ctx := context.Background()
				past := time.Now().Add(-time.Hour)
				for i := range expired + 20 {
					it := &news.TickerItem{Text: "سطر"}
					if i < expired {
						it.ExpiresAt = past
					}
					if err := s.CreateTicker(ctx, it); err != nil {
						b.Fatal(err)
					}
				}
				shown, err := s.ListTicker(ctx, store.OnShow, time.Now())
				if err != nil || len(shown) != 20 {
					b.Fatalf("%d lines on show, %v", len(shown), err)
				}
				for i := 0; b.Loop(); i++ {
					if err := s.MoveTicker(ctx, shown[10].ID, 1-2*(i%2), time.Now()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
