package newsroom

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestStats: /admin/stats shows the numbers of generated traffic: visitors
// of the last 5 minutes, views of the last 30, the most read articles
// with their trend, and views by referrer group; editors see it, writers
// do not.
func TestStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		var ids []int64
		for _, h := range []string{"خبر يقرؤه الكثيرون", "خبر أقل قراءة"} {
			a := f.Article(h)
			a.Status, a.PublishedAt = news.StatusPublished, time.Now().Add(-time.Hour)
			if err := s.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		now := time.Now()
		var hits []store.Hit
		add := func(n int, at time.Time, article, visitor int64, ref string) {
			for range n {
				hits = append(hits, store.Hit{At: at, Visitor: visitor, Kind: "article", ArticleID: article, Referrer: ref})
			}
		}
		add(7, now.Add(-time.Minute), ids[0], 1, "whatsapp")
		add(5, now.Add(-20*time.Minute), ids[0], 2, "google")
		add(3, now.Add(-2*time.Minute), ids[1], 3, "whatsapp")
		add(4, now.Add(-3*time.Hour), ids[1], 4, "telegram") // not now, but today
		if err := s.AddHits(ctx, hits); err != nil {
			t.Fatal(err)
		}
		_, writer := f.as(t, auth.RoleWriter)
		if r := writer.Get("/admin/stats"); r.Status != http.StatusForbidden {
			t.Errorf("a writer opening the stats: %d", r.Status)
		}
		_, editor := f.as(t, auth.RoleEditor)
		r := editor.Get("/admin/stats")
		if r.Status != http.StatusOK {
			t.Fatalf("stats: %d %s", r.Status, r.Body)
		}
		for _, want := range []string{
			`data-stat="visitors">2<`, // visitors 1 and 3 in the last 5 minutes
			`data-stat="views">15<`,   // 7 + 5 + 3
			"<polyline points=",
			"واتساب</th><td class=\"num\">10<", "بحث Google</th><td class=\"num\">5<", "تيليغرام</th><td class=\"num\">4<",
		} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the stats page lacks %q", want)
			}
		}
		first, second := strings.Index(r.Body, "خبر يقرؤه الكثيرون"), strings.Index(r.Body, "خبر أقل قراءة")
		if first < 0 || second < 0 || second < first {
			t.Errorf("the most read now: %d before %d, want the 12-view article first", first, second)
		}
	})
}

func TestSparkline(t *testing.T) {
	for _, c := range []struct {
		views []int64
		rtl   bool
		want  string
	}{
		{[]int64{0, 4}, false, "0,27 120,1"},
		{[]int64{0, 4}, true, "120,27 0,1"},
		{[]int64{2, 2, 0}, true, "120,1 60,1 0,27"},
		{[]int64{5}, true, ""},
	} {
		if got := sparkline(c.views, c.rtl); got != c.want {
			t.Errorf("sparkline(%v, rtl %v) = %q, want %q", c.views, c.rtl, got, c.want)
		}
	}
}
