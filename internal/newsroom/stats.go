package newsroom

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// The charts' sizes in SVG user units; CSS scales them.
const (
	sparkWidth, sparkHeight = 120, 28
	barWidth, barHeight     = 240, 14
	statsTop                = 10
)

// statsPage is /admin/stats: the readership now, from the site's own
// counting (internal/analytics).
type statsPage struct {
	Visitors, Views string // the last 5 minutes' visitors, the last 30 minutes' views
	Top             []statsArticle
	Referrers       []statsBar
	SparkW, SparkH  int
	BarW, BarH      int
}

// statsArticle is a row of the articles read most in the last 30 minutes,
// with the trend of its views minute by minute.
type statsArticle struct {
	Headline, URL, Views string
	// Points is the sparkline's polyline, time running the way the
	// interface's language reads.
	Points string
}

// statsBar is a referrer group's bar.
type statsBar struct {
	Label, Views string
	X, Width     int
}

// stats is GET /admin/stats.
func (n *Newsroom) stats(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	digits := n.settings.Get().DateFormat().Digits
	now := time.Now()
	to := now.Truncate(time.Minute).Add(time.Minute)
	from := to.Add(-30 * time.Minute)
	rtl := n.cat.Dir() == "rtl"
	p := &statsPage{SparkW: sparkWidth, SparkH: sparkHeight, BarW: barWidth, BarH: barHeight}
	recent, err := n.store.AudienceBetween(ctx, now.Add(-5*time.Minute), to)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	half, err := n.store.AudienceBetween(ctx, from, to)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	p.Visitors, p.Views = digits.Int(int(recent.Visitors)), digits.Int(int(half.Views))
	top, err := n.store.TopArticles(ctx, store.ByMinute, from, to, 0, statsTop)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	ids := make([]int64, len(top))
	for i, t := range top {
		ids[i] = t.ArticleID
	}
	arts, err := n.store.ArticlesByIDs(ctx, ids)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	series, err := n.store.ArticleMinutes(ctx, ids, from, to)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	for _, t := range top {
		a := arts[t.ArticleID]
		if a == nil {
			continue // deleted since
		}
		p.Top = append(p.Top, statsArticle{Headline: a.Headline, URL: news.ArticlePath(a), Views: digits.Int(int(t.Views)),
			Points: sparkline(series[t.ArticleID], rtl)})
	}
	day := now.Truncate(time.Hour).Add(time.Hour)
	groups, err := n.store.ReferrerViews(ctx, store.ByHour, day.Add(-24*time.Hour), day)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	var most int64
	for _, g := range groups {
		most = max(most, g.Views)
	}
	for _, g := range groups {
		b := statsBar{Label: n.cat.T("referrer_" + strings.ReplaceAll(g.Group, "-", "_")), Views: digits.Int(int(g.Views)),
			Width: max(1, int(g.Views*barWidth/most))}
		if rtl {
			b.X = barWidth - b.Width
		}
		p.Referrers = append(p.Referrers, b)
	}
	n.render(w, http.StatusOK, "stats", &data{User: userFrom(ctx), Title: n.cat.T("admin_stats"), Page: p})
}

// sparkline is the polyline of views per minute, scaled to the chart: the
// oldest minute at the start of the line as the language reads (the
// right in Arabic), the busiest minute at the top.
func sparkline(views []int64, rtl bool) string {
	if len(views) < 2 {
		return ""
	}
	var most int64 = 1
	for _, v := range views {
		most = max(most, v)
	}
	var sb strings.Builder
	for i, v := range views {
		x := i * sparkWidth / (len(views) - 1)
		if rtl {
			x = sparkWidth - x
		}
		y := sparkHeight - 1 - int(v*(sparkHeight-2)/most)
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(strconv.Itoa(x) + "," + strconv.Itoa(y))
	}
	return sb.String()
}
