package newsroom

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"khabar/internal/analytics"
	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// statsTraffic is the readership TestStats generates: three published
// articles, an alert on one, and views counted by the real counter at
// known times, flushed as a node flushes them.
type statsTraffic struct {
	f              *fixture
	now            time.Time // the newsroom's clock, fixed
	alert          news.Alert
	a1, a2, a3     *news.Article
	writer, byline *auth.User
	// The writers' session tokens.
	writerToken, bylineToken string
	sec                      [2]news.Section
}

func newStatsTraffic(t *testing.T, s *store.Store) *statsTraffic {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, s)
	tr := &statsTraffic{f: f, sec: [2]news.Section{f.Sections[0], f.Sections[1]}}
	tr.writer, tr.writerToken = storetest.Staff(t, s, auth.RoleWriter)
	tr.byline, tr.bylineToken = storetest.Staff(t, s, auth.RoleWriter)
	signed := news.Author{Name: "كاتب بحساب", UserID: tr.byline.ID}
	if err := s.CreateAuthor(ctx, &signed); err != nil {
		t.Fatal(err)
	}
	publish := func(headline string, sec news.Section, by int64, authors ...news.Author) *news.Article {
		a := f.Article(headline)
		a.SectionID, a.CreatedBy, a.Authors = sec.ID, by, authors
		a.Status, a.PublishedAt = news.StatusPublished, time.Now().Add(-40*24*time.Hour)
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	// a1: the writer's (made by them), a2: nobody's, a3: signed by the
	// byline's account and the first author.
	tr.a1 = publish("خبر الكاتب", tr.sec[0], tr.writer.ID, f.Authors[0])
	tr.a2 = publish("خبر التنبيه", tr.sec[1], 0, f.Authors[1])
	tr.a3 = publish("خبر مشترك", tr.sec[0], 0, f.Authors[0], signed)
	tr.alert = news.Alert{Title: "عاجل: تنبيه الاختبار", URL: "http://khabar.test/x", Urgency: "high", Topic: "breaking", Channels: []string{"push"}, ArticleID: tr.a2.ID}
	if err := s.CreateAlert(ctx, &tr.alert); err != nil {
		t.Fatal(err)
	}
	// The clock stands 40 minutes after the alert: its 30 minutes are over.
	tr.now = tr.alert.CreatedAt.Add(40 * time.Minute)
	f.n.now = func() time.Time { return tr.now }
	var at time.Time
	c := analytics.New(analytics.Options{Store: s, Site: "http://khabar.test", Now: func() time.Time { return at }})
	read := func(n int, when time.Time, a *news.Article, referrer string, ips ...string) {
		at = when
		for i := range n {
			r := httptest.NewRequest(http.MethodGet, news.ArticlePath(a), nil)
			r.RemoteAddr = ips[i%len(ips)] + ":4000"
			r.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36")
			if referrer != "" {
				r.Header.Set("Referer", referrer)
			}
			c.Count(r, analytics.Page{Kind: analytics.KindArticle, ArticleID: a.ID, SectionID: a.SectionID})
		}
		if err := c.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	read(4, tr.now.Add(-2*time.Minute), tr.a1, "https://wa.me/", "10.0.0.1", "10.0.0.2")
	read(3, tr.alert.CreatedAt.Add(-10*time.Minute), tr.a2, "", "10.0.0.3")
	read(6, tr.alert.CreatedAt.Add(5*time.Minute), tr.a2, "https://www.google.com/", "10.0.0.4")
	read(2, tr.now.Add(-3*time.Hour), tr.a3, "https://t.me/khabar", "10.0.0.5")
	read(5, tr.now.Add(-3*24*time.Hour), tr.a1, "", "10.0.0.6")
	read(7, tr.now.Add(-10*24*time.Hour), tr.a2, "", "10.0.0.7")
	return tr
}

// row is a bar chart's or table's row as the page shows it: label, then
// number.
func row(label, views string) string {
	return "<bdi>" + label + "</bdi></th><td class=\"num\">" + views + "<"
}

// section is the part of body between the heading with id and the next
// section's end.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("the page has no %s", id)
	}
	end := strings.Index(body[i:], "</section>")
	if end < 0 {
		end = len(body) - i
	}
	return body[i : i+end]
}

// TestStats: every figure /admin/stats shows, for the desk and for
// writers, against generated traffic, for each period.
func TestStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tr := newStatsTraffic(t, s)
		_, editor := tr.f.as(t, auth.RoleEditor)
		writer := tr.f.browser(t, tr.f.h, tr.writerToken)
		byline := tr.f.browser(t, tr.f.h, tr.bylineToken)
		s0, s1 := tr.sec[0].Name, tr.sec[1].Name
		au0, au1 := tr.f.Authors[0].Name, tr.f.Authors[1].Name
		type want struct {
			part string // the section of the page, by its heading's id
			has  []string
			not  []string
		}
		for _, c := range []struct {
			name   string
			client *storetest.Client
			path   string
			want   []want
		}{
			{"desk, 24 hours", editor, "/admin/stats", []want{
				{"stats-now-title", []string{`data-stat="visitors">2<`, `data-stat="views">4<`, "خبر الكاتب"}, []string{"خبر التنبيه", "خبر مشترك"}},
				{"stats-over", []string{`data-stat="total">15<`, "<polyline points="}, nil},
				{"stats-sections", []string{row(s1, "9"), row(s0, "6")}, nil},
				{"stats-authors", []string{row(au1, "9"), row(au0, "6"), row("كاتب بحساب", "2")}, nil},
				{"stats-referrers", []string{row("بحث Google", "6"), row("واتساب", "4"), row("مباشر", "3"), row("تيليغرام", "2")}, nil},
				{"stats-alerts", []string{"عاجل: تنبيه الاختبار", `<td class="num">3</td><td class="num">6</td><td class="num">&#43;100٪</td>`}, nil},
			}},
			{"desk, 30 minutes", editor, "/admin/stats?period=30m", []want{
				{"stats-over", []string{`data-stat="total">4<`}, nil},
				{"stats-sections", []string{row(s0, "4")}, []string{s1}},
				{"stats-alerts", []string{"لا تنبيهات"}, nil},
			}},
			{"desk, 7 days", editor, "/admin/stats?period=7d", []want{
				{"stats-over", []string{`data-stat="total">20<`}, nil},
				{"stats-sections", []string{row(s0, "11"), row(s1, "9")}, nil},
				{"stats-referrers", []string{row("مباشر", "8")}, nil},
			}},
			{"desk, 30 days", editor, "/admin/stats?period=30d", []want{
				{"stats-over", []string{`data-stat="total">27<`}, nil},
				{"stats-sections", []string{row(s1, "16"), row(s0, "11")}, nil},
			}},
			// The writer made a1: only its numbers, nobody else's.
			{"writer's own", writer, "/admin/stats", []want{
				{"stats-now-title", []string{"أخبارك الآن", `data-stat="visitors">2<`, `data-stat="views">4<`, "خبر الكاتب"}, nil},
				{"stats-over", []string{`data-stat="total">4<`}, nil},
				{"stats-sections", []string{row(s0, "4")}, []string{s1}},
				{"stats-authors", []string{row(au0, "4")}, []string{au1}},
				{"stats-referrers", []string{row("واتساب", "4")}, []string{"Google", "تيليغرام"}},
				{"stats-alerts", []string{"لا تنبيهات"}, []string{"تنبيه الاختبار"}},
			}},
			// The byline's account signs a3.
			{"byline's own", byline, "/admin/stats?period=30d", []want{
				{"stats-now-title", []string{`data-stat="visitors">0<`, `data-stat="views">0<`}, nil},
				{"stats-over", []string{`data-stat="total">2<`}, nil},
				{"stats-referrers", []string{row("تيليغرام", "2")}, []string{"واتساب"}},
			}},
			{"an article", editor, "/admin/stats/articles/" + itoa(tr.a2.ID), []want{
				{"stats-over", []string{`data-stat="total">9<`}, nil},
				{"stats-referrers", []string{row("بحث Google", "6"), row("مباشر", "3")}, []string{"واتساب"}},
				{"stats-alerts", []string{`<td class="num">3</td><td class="num">6</td>`}, nil},
			}},
			{"an article over 30 days", editor, "/admin/stats/articles/" + itoa(tr.a2.ID) + "?period=30d", []want{
				{"stats-over", []string{`data-stat="total">16<`}, nil},
			}},
			{"the writer's article", writer, "/admin/stats/articles/" + itoa(tr.a1.ID) + "?period=7d", []want{
				{"stats-over", []string{`data-stat="total">9<`}, nil},
			}},
			// What the open page asks for again: the period's part alone.
			{"the period's part", editor, "/admin/stats?period=30m&part=period", []want{
				{"stats-over", []string{`data-stat="total">4<`}, nil},
				{"stats-sections", []string{row(s0, "4")}, []string{s1}},
			}},
			{"an article's period part", editor, "/admin/stats/articles/" + itoa(tr.a2.ID) + "?part=period", []want{
				{"stats-over", []string{`data-stat="total">9<`}, nil},
			}},
			{"the live box", editor, StatsNowPath, []want{
				{"stats-now-title", []string{`data-stat="visitors">2<`, `data-stat="views">4<`}, nil},
			}},
			{"the desk's box", editor, StatsNowPath + "?box=desk", []want{
				{"stats-box-title", []string{`data-stat="visitors">2<`, "خبر الكاتب"}, nil},
			}},
			{"the desk", editor, "/admin/", []want{
				{"stats-box-title", []string{`data-stat="visitors">2<`, "/admin/stats/articles/" + itoa(tr.a1.ID)}, nil},
			}},
		} {
			r := c.client.Get(c.path)
			if r.Status != http.StatusOK {
				t.Errorf("%s: %s answers %d", c.name, c.path, r.Status)
				continue
			}
			if strings.Contains(c.path, "part=period") && (strings.Contains(r.Body, "stats-now") || strings.Contains(r.Body, "<html")) {
				t.Errorf("%s: the period's part comes with the rest of the page:\n%s", c.name, r.Body)
			}
			for _, w := range c.want {
				part := section(t, r.Body, w.part)
				for _, s := range w.has {
					if !strings.Contains(part, s) {
						t.Errorf("%s: %s lacks %q:\n%s", c.name, w.part, s, part)
					}
				}
				for _, s := range w.not {
					if strings.Contains(part, s) {
						t.Errorf("%s: %s shows %q", c.name, w.part, s)
					}
				}
			}
		}
		// The writer's desk has no box: the site's numbers are the desk's.
		if r := writer.Get("/admin/"); strings.Contains(r.Body, `id="stats-box"`) {
			t.Error("a writer's desk shows the site's readership")
		}
		// The article form links its numbers.
		if r := editor.Get(adminPath(tr.a2)); !strings.Contains(r.Body, `href="/admin/stats/articles/`+itoa(tr.a2.ID)+`"`) {
			t.Error("the article form does not link the article's readership")
		}
	})
}

// TestStatsRefusals: who may open which figures, and what hostile
// addresses get: never a 500.
func TestStatsRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tr := newStatsTraffic(t, s)
		_, editor := tr.f.as(t, auth.RoleEditor)
		_, admin := tr.f.as(t, auth.RoleAdmin)
		_, moderator := tr.f.as(t, auth.RoleModerator)
		writer := tr.f.browser(t, tr.f.h, tr.writerToken)
		anonymous := tr.f.browser(t, tr.f.h, "")
		a1, a2 := "/admin/stats/articles/"+itoa(tr.a1.ID), "/admin/stats/articles/"+itoa(tr.a2.ID)
		for _, c := range []struct {
			name   string
			client *storetest.Client
			path   string
			status int
		}{
			{"admin", admin, "/admin/stats", http.StatusOK},
			{"admin", admin, a2, http.StatusOK},
			{"editor", editor, StatsNowPath, http.StatusOK},
			{"writer", writer, "/admin/stats", http.StatusOK},
			{"writer", writer, StatsNowPath, http.StatusOK},
			{"writer", writer, a1, http.StatusOK},
			{"writer on another's article", writer, a2, http.StatusForbidden},
			{"moderator", moderator, "/admin/stats", http.StatusForbidden},
			{"moderator", moderator, StatsNowPath, http.StatusForbidden},
			{"moderator", moderator, a1, http.StatusForbidden},
			{"anonymous", anonymous, "/admin/stats", http.StatusSeeOther},
			{"anonymous", anonymous, StatsNowPath, http.StatusSeeOther},
			{"anonymous", anonymous, a1, http.StatusSeeOther},
			{"unknown period", editor, "/admin/stats?period=1y", http.StatusBadRequest},
			{"hostile period", editor, "/admin/stats?period=%3Cscript%3E", http.StatusBadRequest},
			{"period twice", editor, "/admin/stats?period=7d&period=1y", http.StatusOK},
			{"article's unknown period", editor, a2 + "?period=-1", http.StatusBadRequest},
			{"unknown box", editor, StatsNowPath + "?box=%00", http.StatusBadRequest},
			{"unknown part", editor, "/admin/stats?part=now", http.StatusBadRequest},
			{"article's unknown part", editor, a2 + "?part=%3Cscript%3E", http.StatusBadRequest},
			{"writer's period part of another's article", writer, a2 + "?part=period", http.StatusForbidden},
			{"no such article", editor, "/admin/stats/articles/999999999", http.StatusNotFound},
			{"not an id", editor, "/admin/stats/articles/x1", http.StatusNotFound},
			{"negative id", editor, "/admin/stats/articles/-1", http.StatusNotFound},
			{"huge id", editor, "/admin/stats/articles/99999999999999999999999", http.StatusNotFound},
		} {
			if r := c.client.Get(c.path); r.Status != c.status {
				t.Errorf("%s: %s answers %d, want %d", c.name, c.path, r.Status, c.status)
			}
		}
	})
}

// TestAlertEffectKept: an alert's effect outlives the minute roll-up it
// is read from: the clean-up keeps it before deleting the minutes.
func TestAlertEffectKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tr := newStatsTraffic(t, s)
		ctx := context.Background()
		effect := func(now time.Time) store.AlertEffect {
			t.Helper()
			got, err := s.AlertEffects(ctx, store.Readership{}, tr.alert.CreatedAt.Add(-time.Hour), tr.alert.CreatedAt.Add(time.Hour), now, 10)
			if err != nil || len(got) != 1 {
				t.Fatalf("alert effects: %v, %v", got, err)
			}
			return got[0]
		}
		// An hour on, the hourly clean-up keeps it; two days and more on,
		// the minutes are gone.
		for _, now := range []time.Time{tr.alert.CreatedAt.Add(time.Hour), tr.alert.CreatedAt.Add(store.MinuteKeep + 2*time.Hour)} {
			if _, err := s.DeleteOldAnalytics(ctx, now, store.MinuteKeep); err != nil {
				t.Fatal(err)
			}
		}
		later := tr.alert.CreatedAt.Add(store.MinuteKeep + 2*time.Hour)
		if e := effect(later); !e.Known || e.Before != 3 || e.After != 6 {
			t.Errorf("the effect after the minutes went: %+v, want 3 before and 6 after", e)
		}
		if views, err := s.ViewsOverTime(ctx, store.Readership{Grain: store.ByMinute, From: tr.alert.CreatedAt.Truncate(time.Minute).Add(-30 * time.Minute),
			To: tr.alert.CreatedAt.Truncate(time.Minute).Add(30 * time.Minute), Article: tr.a2.ID}); err != nil || sum(views) != 0 {
			t.Errorf("the minutes are still there: %v %v", views, err)
		}
	})
}

func sum(v []int64) (n int64) {
	for _, x := range v {
		n += x
	}
	return n
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

// TestLineChart: time runs the way the language reads, the value axis on
// the side the line starts, its top a round number.
func TestLineChart(t *testing.T) {
	first := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	label := func(t time.Time) string { return t.Format("15:04") }
	for _, c := range []struct {
		name  string
		views []int64
		rtl   bool
		line  string
		ticks []string
		times []string
	}{
		{"rtl", []int64{0, 3, 6}, true, "316,146 161,106 6,65", []string{"0", "5", "10"}, []string{"316:10:00:end", "6:10:02:start"}},
		{"ltr", []int64{0, 3, 6}, false, "44,146 199,106 354,65", []string{"0", "5", "10"}, []string{"44:10:00:start", "354:10:02:end"}},
		{"quiet", []int64{0, 0}, true, "316,146 6,146", []string{"0", "1", "2"}, []string{"316:10:00:end", "6:10:01:start"}},
		{"a middle label", []int64{0, 0, 0, 0, 0}, true, "316,146 239,146 161,146 84,146 6,146", []string{"0", "1", "2"}, []string{"316:10:00:end", "161:10:02:middle", "6:10:04:start"}},
	} {
		got := newLineChart(c.views, first, time.Minute, label, "latin", c.rtl)
		if got.Line != c.line {
			t.Errorf("%s: line %q, want %q", c.name, got.Line, c.line)
		}
		var ticks, times []string
		for _, tk := range got.Ticks {
			ticks = append(ticks, tk.Text)
		}
		for _, tm := range got.Times {
			times = append(times, itoa(int64(tm.X))+":"+tm.Text+":"+tm.Anchor)
		}
		if strings.Join(ticks, " ") != strings.Join(c.ticks, " ") || strings.Join(times, " ") != strings.Join(c.times, " ") {
			t.Errorf("%s: ticks %v, times %v; want %v, %v", c.name, ticks, times, c.ticks, c.times)
		}
	}
}
