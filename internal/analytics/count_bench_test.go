package analytics

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkCount is what counting adds to a page: the bot and opt-out
// checks and the append to the buffer, from parallel requests, with a
// flusher taking the buffer away as Flush does (without the database,
// which the request never waits for).
func BenchmarkCount(b *testing.B) {
	c := New(Options{Site: "https://khabar.example"})
	r, _ := http.NewRequest(http.MethodGet, "https://khabar.example/news/12/x", nil)
	r.RemoteAddr = "203.0.113.77:41234"
	r.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36")
	r.Header.Set("Referer", "https://t.co/AbCdEf123")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	p := Page{Kind: KindArticle, ArticleID: 12, SectionID: 3}
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				c.mu.Lock()
				views := c.buf
				c.buf, c.spare = c.spare[:0], nil
				c.mu.Unlock()
				clear(views)
				c.mu.Lock()
				c.spare = views[:0]
				c.mu.Unlock()
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Count(r, p)
		}
	})
	b.StopTimer()
	if c.Dropped() > 0 {
		b.ReportMetric(float64(c.Dropped())/float64(b.N), "dropped/op")
	}
}
