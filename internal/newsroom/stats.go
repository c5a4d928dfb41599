package newsroom

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/store"
)

// How many articles the "now" lists show: the stats page's and the desk's
// box.
const (
	statsTop  = 10
	deskTop   = 3
	alertsTop = 20
	// StatsNowPath serves the "now" figures alone, for the open pages to
	// refresh them (static/stats.js).
	StatsNowPath = "/admin/stats/now"
)

// statsPeriod is a period the stats report over: the last Count buckets
// of a roll-up, the current one included.
type statsPeriod struct {
	Key   string
	grain store.Grain
	step  time.Duration
	count int
}

// statsPeriods are the periods offered; the first is the default.
var statsPeriods = []statsPeriod{
	{"24h", store.ByHour, time.Hour, 24},
	{"30m", store.ByMinute, time.Minute, 30},
	{"7d", store.ByHour, time.Hour, 7 * 24},
	{"30d", store.ByDay, 24 * time.Hour, 30},
}

// errPeriod refuses a period the stats do not offer.
var errPeriod = fmt.Errorf("unknown period: %w", news.ErrMalformed)

// periodOf is the period a request asks for, the default when none.
func periodOf(r *http.Request) (statsPeriod, error) {
	key := r.URL.Query().Get("period")
	if key == "" {
		return statsPeriods[0], nil
	}
	for _, p := range statsPeriods {
		if p.Key == key {
			return p, nil
		}
	}
	return statsPeriod{}, errPeriod
}

// readership is the period's span as of now, of the articles f keeps.
func (p statsPeriod) readership(now time.Time, f store.Readership) store.Readership {
	// Buckets start on UTC minutes, hours and days: Truncate counts from
	// the zero time, a UTC midnight.
	f.Grain, f.To = p.grain, now.Truncate(p.step).Add(p.step)
	f.From = f.To.Add(-time.Duration(p.count) * p.step)
	return f
}

// scope is what the user's figures cover: the desk sees every article, a
// writer their own.
func scope(u *auth.User) store.Readership {
	if u.Can(auth.PermPublish) {
		return store.Readership{}
	}
	return store.Readership{Own: u.ID}
}

// statsNow is the readership now: visitors of the last five minutes,
// views of the last 30 and the articles read most in them.
type statsNow struct {
	Visitors, Views string
	Top             []statsArticle
	// Live is where the open page refreshes it from.
	Live string
	// Own: a writer's own articles' figures.
	Own bool
}

// statsArticle is a row of the articles read most in the last 30 minutes,
// with the trend of its views minute by minute.
type statsArticle struct {
	ID              int64
	Headline, Views string
	// Points is the sparkline's polyline.
	Points string
}

// statsPage is /admin/stats.
type statsPage struct {
	Now     *statsNow
	Period  string
	Periods []string
	// Over is the views of the period; Total their sum.
	Over                         lineChart
	Total                        string
	Sections, Authors, Referrers []statsBar
	Alerts                       []statsAlert
	EffectW, EffectH             int
}

// statsAlert is an alert and its article's views before and after it.
type statsAlert struct {
	Title, URL, Before, After, Change string
	At                                time.Time
	// Known: the views are kept; Running: the 30 minutes after are not
	// over yet.
	Known, Running bool
	// The bars of the views before and after, on one scale.
	BeforeX, BeforeW, AfterX, AfterW int
}

// statsArticlePage is /admin/stats/articles/{id}.
type statsArticlePage struct {
	A       *news.Article
	URL     string
	Period  string
	Periods []string
	Over    lineChart
	Total   string
	// Referrers over the period.
	Referrers        []statsBar
	Alerts           []statsAlert
	EffectW, EffectH int
}

// The alerts' bars' size: two bars, before above after.
const effectWidth, effectHeight = 120, 22

func (n *Newsroom) digits() locale.Digits { return n.settings.Get().DateFormat().Digits }

func (n *Newsroom) rtl() bool { return n.cat.Dir() == "rtl" }

// readNow reads the readership now of the articles f keeps, top long.
func (n *Newsroom) readNow(ctx context.Context, f store.Readership, top int) (*statsNow, error) {
	now := n.now()
	digits := n.digits()
	to := now.Truncate(time.Minute).Add(time.Minute)
	from := to.Add(-30 * time.Minute)
	p := &statsNow{Live: StatsNowPath, Own: f.Own > 0}
	f.From, f.To = now.Add(-5*time.Minute), to
	recent, err := n.store.AudienceOf(ctx, f)
	if err != nil {
		return nil, err
	}
	f.Grain, f.From = store.ByMinute, from
	half, err := n.store.AudienceOf(ctx, f)
	if err != nil {
		return nil, err
	}
	p.Visitors, p.Views = digits.Int(int(recent.Visitors)), digits.Int(int(half.Views))
	most, err := n.store.MostViewed(ctx, f, top)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(most))
	for i, t := range most {
		ids[i] = t.ArticleID
	}
	arts, err := n.store.ArticlesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	series, err := n.store.ArticleMinutes(ctx, ids, from, to)
	if err != nil {
		return nil, err
	}
	for _, t := range most {
		a := arts[t.ArticleID]
		if a == nil {
			continue // deleted since
		}
		p.Top = append(p.Top, statsArticle{ID: a.ID, Headline: a.Headline, Views: digits.Int(int(t.Views)),
			Points: sparkline(series[t.ArticleID], n.rtl())})
	}
	return p, nil
}

// statsNowFragment is GET /admin/stats/now: the "now" figures alone, as
// the stats page (or, with ?box=desk, the desk) shows them.
func (n *Newsroom) statsNowFragment(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	name, top := "stats-now", statsTop
	switch r.URL.Query().Get("box") {
	case "":
	case "desk":
		name, top = "stats-box", deskTop
	default:
		n.fail(w, r, fmt.Errorf("unknown box: %w", news.ErrMalformed))
		return
	}
	p, err := n.readNow(r.Context(), scope(u), top)
	if err != nil {
		n.fail(w, r, fmt.Errorf("stats now: %w", err))
		return
	}
	n.fragment(w, r, name, p)
}

// fragment answers with one template of a page, for the script that
// refreshes that part of it in place.
func (n *Newsroom) fragment(w http.ResponseWriter, r *http.Request, name string, p any) {
	n.eng.SetDateFormat(n.settings.Get().DateFormat())
	body, err := n.eng.RenderFragment(name, p)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

// periodPart says whether r asks for the period's part of a stats page
// alone (part=period), refusing any other part.
func periodPart(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("part") {
	case "":
		return false, nil
	case "period":
		return true, nil
	}
	return false, fmt.Errorf("unknown part: %w", news.ErrMalformed)
}

// stats is GET /admin/stats: the readership now and over the period
// chosen, of every article for the desk, of their own for a writer.
func (n *Newsroom) stats(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userFrom(ctx)
	period, err := periodOf(r)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	part, err := periodPart(r)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	f := scope(u)
	p := &statsPage{Period: period.Key, Periods: periodKeys(), EffectW: effectWidth, EffectH: effectHeight}
	if !part {
		p.Now, err = n.readNow(ctx, f, statsTop)
	}
	if err == nil {
		err = n.fillStats(ctx, p, period, f)
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("stats: %w", err))
		return
	}
	if part {
		n.fragment(w, r, "stats-period", p)
		return
	}
	n.render(w, http.StatusOK, "stats", &data{User: u, Title: n.cat.T("admin_stats"), Page: p})
}

// fillStats reads the period's part of the stats page.
func (n *Newsroom) fillStats(ctx context.Context, p *statsPage, period statsPeriod, f store.Readership) error {
	var err error
	now := n.now()
	digits, rtl := n.digits(), n.rtl()
	span := period.readership(now, f)
	if p.Over, p.Total, err = n.overTime(ctx, span, period); err != nil {
		return err
	}
	for _, by := range []struct {
		read func(context.Context, store.Readership) ([]store.NamedViews, error)
		to   *[]statsBar
	}{
		{n.store.ViewsBySection, &p.Sections},
		{n.store.ViewsByAuthor, &p.Authors},
	} {
		views, err := by.read(ctx, span)
		if err != nil {
			return err
		}
		labels, counts := make([]string, len(views)), make([]int64, len(views))
		for i, v := range views {
			labels[i], counts[i] = v.Name, v.Views
		}
		*by.to = barsOf(labels, counts, digits, rtl)
	}
	if p.Referrers, err = n.referrers(ctx, span); err != nil {
		return err
	}
	p.Alerts, err = n.alertEffects(ctx, span, now)
	return err
}

// overTime is the chart of the views f keeps over its period, and their
// sum.
func (n *Newsroom) overTime(ctx context.Context, f store.Readership, period statsPeriod) (lineChart, string, error) {
	views, err := n.store.ViewsOverTime(ctx, f)
	if err != nil {
		return lineChart{}, "", err
	}
	var total int64
	for _, v := range views {
		total += v
	}
	df := n.settings.Get().DateFormat()
	label := df.Time
	if period.step*time.Duration(period.count) > 24*time.Hour {
		label = df.Date
	}
	return newLineChart(views, f.From, period.step, label, df.Digits, n.rtl()), df.Digits.Int(int(total)), nil
}

// referrers are the bars of f's views by referrer group.
func (n *Newsroom) referrers(ctx context.Context, f store.Readership) ([]statsBar, error) {
	groups, err := n.store.ReferrerViews(ctx, f)
	if err != nil {
		return nil, err
	}
	labels, counts := make([]string, len(groups)), make([]int64, len(groups))
	for i, g := range groups {
		labels[i], counts[i] = n.cat.T("referrer_"+strings.ReplaceAll(g.Group, "-", "_")), g.Views
	}
	return barsOf(labels, counts, n.digits(), n.rtl()), nil
}

// alertEffects are the alerts of f's period on the articles it keeps,
// each with its article's views in the 30 minutes before and after.
func (n *Newsroom) alertEffects(ctx context.Context, f store.Readership, now time.Time) ([]statsAlert, error) {
	effects, err := n.store.AlertEffects(ctx, f, f.From, f.To, now, alertsTop)
	if err != nil {
		return nil, err
	}
	var most int64
	for _, e := range effects {
		most = max(most, e.Before, e.After)
	}
	digits, rtl := n.digits(), n.rtl()
	out := make([]statsAlert, len(effects))
	for i, e := range effects {
		a := statsAlert{Title: e.Alert.Title, URL: "/admin/stats/articles/" + strconv.FormatInt(e.Alert.ArticleID, 10), At: e.Alert.CreatedAt,
			Known: e.Known, Running: now.Before(e.Alert.CreatedAt.Truncate(time.Minute).Add(store.EffectWindow))}
		if e.Known {
			a.Before, a.After, a.Change = digits.Int(int(e.Before)), digits.Int(int(e.After)), n.change(e.Before, e.After)
			if most > 0 {
				a.BeforeW, a.AfterW = int(e.Before*effectWidth/most), int(e.After*effectWidth/most)
			}
			if rtl {
				a.BeforeX, a.AfterX = effectWidth-a.BeforeW, effectWidth-a.AfterW
			}
		}
		out[i] = a
	}
	return out, nil
}

// change says how the views after compare with those before: "+٢٠٠٪",
// "−٥٠٪", or "جديد" when there were none before.
func (n *Newsroom) change(before, after int64) string {
	digits := n.digits()
	switch {
	case before == 0 && after == 0:
		return "—"
	case before == 0:
		return n.cat.T("stats_change_new")
	}
	pct := int(math.Round(float64(after-before) * 100 / float64(before)))
	sign := "+"
	if pct < 0 {
		sign, pct = "−", -pct
	}
	return sign + n.cat.T("stats_percent", digits.Int(pct))
}

func periodKeys() []string {
	out := make([]string, len(statsPeriods))
	for i, p := range statsPeriods {
		out[i] = p.Key
	}
	return out
}

// statsOfArticle is GET /admin/stats/articles/{id}: one article's views over
// the period, where its readers came from and its alerts' effect; the
// desk sees any article's, a writer their own's.
func (n *Newsroom) statsOfArticle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userFrom(ctx)
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	period, err := periodOf(r)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	part, err := periodPart(r)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	a, err := n.store.GetArticle(ctx, id)
	if err == nil {
		err = a.ReadershipViewableBy(u.Staff())
	}
	if err != nil {
		n.fail(w, r, err)
		return
	}
	now := n.now()
	span := period.readership(now, store.Readership{Article: a.ID})
	p := &statsArticlePage{A: a, Period: period.Key, Periods: periodKeys(), EffectW: effectWidth, EffectH: effectHeight}
	if a.Status == news.StatusPublished {
		p.URL = news.ArticlePath(a)
	}
	if p.Over, p.Total, err = n.overTime(ctx, span, period); err == nil {
		if p.Referrers, err = n.referrers(ctx, span); err == nil {
			p.Alerts, err = n.alertEffects(ctx, span, now)
		}
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("stats of article %d: %w", a.ID, err))
		return
	}
	if part {
		n.fragment(w, r, "stats-article-period", p)
		return
	}
	n.render(w, http.StatusOK, "stats_article", &data{User: u, Title: n.cat.T("stats_article_title"), Page: p})
}
