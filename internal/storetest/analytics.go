package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// analyticsNow is the fixed clock of the analytics tests: half past noon.
var analyticsNow = time.Date(2026, 11, 3, 12, 30, 0, 0, time.UTC)

// hits are n views of article (in section) at at, from visitor.
func hits(n int, at time.Time, article, section, visitor int64) []store.Hit {
	out := make([]store.Hit, n)
	for i := range out {
		out[i] = store.Hit{At: at, Visitor: visitor, Kind: "article", ArticleID: article, SectionID: section, Referrer: "direct"}
	}
	return out
}

// testAnalyticsRollups: two nodes flushing their buffers at once add up,
// in every roll-up, to what both counted; raw hits give views and
// distinct visitors; the clean-up keeps what it must.
func testAnalyticsRollups(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a, b := f.Article("خبر أول"), f.Article("خبر ثان")
	publish(t, s, a, analyticsNow.Add(-48*time.Hour))
	publish(t, s, b, analyticsNow.Add(-48*time.Hour))
	minute := analyticsNow.Truncate(time.Minute)
	// Each node: 20 batches of the same keys (same minute, article,
	// section, referrer), 3 views of a and 1 of b each.
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for node := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				batch := append(hits(3, minute.Add(10*time.Second), a.ID, a.SectionID, int64(100+node)), hits(1, minute.Add(20*time.Second), b.ID, b.SectionID, 7)...)
				if err := s.AddHits(ctx, batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := []store.ArticleViews{{ArticleID: a.ID, Views: 120}, {ArticleID: b.ID, Views: 40}}
	for _, g := range []struct {
		grain store.Grain
		size  time.Duration
	}{{store.ByMinute, time.Minute}, {store.ByHour, time.Hour}, {store.ByDay, 24 * time.Hour}} {
		from := analyticsNow.Truncate(g.size)
		got, err := s.TopArticles(ctx, g.grain, from, from.Add(g.size), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("grain %v: %v, want %v", g.size, got, want)
		}
		// The bucket before holds nothing.
		if got, _ := s.TopArticles(ctx, g.grain, from.Add(-g.size), from, 0, 10); len(got) != 0 {
			t.Errorf("grain %v: the bucket before holds %v", g.size, got)
		}
	}
	aud, err := s.AudienceBetween(ctx, minute, minute.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if aud != (store.Audience{Views: 160, Visitors: 3}) {
		t.Errorf("audience %+v, want 160 views by 3 visitors", aud)
	}

	// A week later: raw hits past a day and minutes past two days go,
	// hours and days stay; the salts of days before go.
	if _, err := s.VisitorSalt(ctx, analyticsNow.Truncate(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	later := analyticsNow.Add(7 * 24 * time.Hour)
	today, err := s.VisitorSalt(ctx, later.Truncate(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteOldAnalytics(ctx, later, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if aud, _ := s.AudienceBetween(ctx, minute, minute.Add(time.Minute)); aud.Views != 0 {
		t.Errorf("raw hits kept past their time: %+v", aud)
	}
	if got, _ := s.TopArticles(ctx, store.ByMinute, minute, minute.Add(time.Minute), 0, 10); len(got) != 0 {
		t.Errorf("minute roll-ups kept past two days: %v", got)
	}
	day := analyticsNow.Truncate(24 * time.Hour)
	if got, _ := s.TopArticles(ctx, store.ByDay, day, day.Add(24*time.Hour), 0, 10); !slices.Equal(got, want) {
		t.Errorf("daily roll-up after the clean-up: %v, want %v", got, want)
	}
	again, err := s.VisitorSalt(ctx, later.Truncate(24*time.Hour))
	if err != nil || !slices.Equal(again, today) {
		t.Errorf("today's salt changed by the clean-up (%v)", err)
	}
	var salts int
	if err := s.DB().QueryRow("SELECT COUNT(*) FROM analytics_salts").Scan(&salts); err != nil || salts != 1 {
		t.Errorf("%d salts kept (%v), want today's only", salts, err)
	}
}

// testMostRead: «الأكثر قراءة» against a hand-counted fixture: the last
// day's views of published articles only, a section's list holding its
// subsections' articles, a withdrawn article left out; a refresh that
// changes nothing writes nothing, one that changes a list names it.
func testMostRead(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	politics, economy := f.Sections[0], f.Sections[1]
	local := news.Section{Name: "محليات", Slug: "local", ParentID: politics.ID, Position: 3}
	if err := s.CreateSection(ctx, &local); err != nil {
		t.Fatal(err)
	}
	art := map[string]*news.Article{}
	for _, x := range []struct {
		name    string
		section int64
	}{{"A", politics.ID}, {"B", politics.ID}, {"C", economy.ID}, {"D", economy.ID}, {"F", local.ID}} {
		a := f.Article("خبر " + x.name)
		a.SectionID = x.section
		publish(t, s, a, analyticsNow.Add(-72*time.Hour))
		art[x.name] = a
	}
	var batch []store.Hit
	for name, n := range map[string]int{"A": 5, "B": 3, "C": 7, "D": 10, "F": 4} {
		batch = append(batch, hits(n, analyticsNow.Add(-2*time.Hour), art[name].ID, art[name].SectionID, 1)...)
	}
	// B's old fame is out of the window; a tag page's views are no
	// article's.
	batch = append(batch, hits(100, analyticsNow.Add(-30*time.Hour), art["B"].ID, politics.ID, 1)...)
	batch = append(batch, store.Hit{At: analyticsNow, Visitor: 1, Kind: "tag", Referrer: "direct"})
	if err := s.AddHits(ctx, batch); err != nil {
		t.Fatal(err)
	}
	d := art["D"]
	if _, err := s.SetStatus(ctx, d.ID, d.Version, news.StatusUnpublished); err != nil {
		t.Fatal(err)
	}
	since := analyticsNow.Add(-24 * time.Hour)
	before, _ := s.LastEventID(ctx)
	ch, err := s.RefreshMostRead(ctx, since, analyticsNow, 5)
	if err != nil {
		t.Fatal(err)
	}
	wantSections := []int64{politics.ID, economy.ID, local.ID}
	slices.Sort(wantSections)
	if !ch.Site || !slices.Equal(ch.Sections, wantSections) {
		t.Errorf("first refresh changed %+v, want the site and sections %v", ch, wantSections)
	}
	headlines := func(section int64) []string {
		t.Helper()
		list, err := s.MostRead(ctx, section)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range list {
			out = append(out, a.Headline)
		}
		return out
	}
	for _, c := range []struct {
		section int64
		want    []string
	}{
		{0, []string{"خبر C", "خبر A", "خبر F", "خبر B"}},
		{politics.ID, []string{"خبر A", "خبر F", "خبر B"}},
		{economy.ID, []string{"خبر C"}},
		{local.ID, []string{"خبر F"}},
	} {
		if got := headlines(c.section); !slices.Equal(got, c.want) {
			t.Errorf("most read of section %d: %q, want %q", c.section, got, c.want)
		}
	}
	evs, err := s.EventsAfter(ctx, before, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != news.EventMostReadChanged || !evs[0].Site || !slices.Equal(evs[0].Sections, wantSections) {
		t.Fatalf("events of the refresh: %+v, want one mostread.changed naming the site and %v", evs, wantSections)
	}

	// Nothing new: nothing written.
	if ch, err := s.RefreshMostRead(ctx, since, analyticsNow, 5); err != nil || ch.Site || len(ch.Sections) != 0 {
		t.Errorf("unchanged refresh: %+v, %v", ch, err)
	}
	if last, _ := s.LastEventID(ctx); last != evs[0].ID {
		t.Errorf("an unchanged refresh wrote events up to %d", last)
	}

	// B reads most now: the site's list and politics' change, economy's
	// and local's do not.
	if err := s.AddHits(ctx, hits(20, analyticsNow.Add(-time.Minute), art["B"].ID, politics.ID, 2)); err != nil {
		t.Fatal(err)
	}
	ch, err = s.RefreshMostRead(ctx, since, analyticsNow, 5)
	if err != nil || !ch.Site || !slices.Equal(ch.Sections, []int64{politics.ID}) {
		t.Errorf("refresh after B's views: %+v, %v; want the site and politics", ch, err)
	}
	if got := headlines(0); !slices.Equal(got, []string{"خبر B", "خبر C", "خبر A", "خبر F"}) {
		t.Errorf("most read after B's views: %q", got)
	}

	// A withdrawn article leaves the kept list at once, before the next
	// refresh.
	c := art["C"]
	if _, err := s.SetStatus(ctx, c.ID, c.Version, news.StatusUnpublished); err != nil {
		t.Fatal(err)
	}
	if got := headlines(0); !slices.Equal(got, []string{"خبر B", "خبر A", "خبر F"}) {
		t.Errorf("most read after C was withdrawn: %q", got)
	}
}
