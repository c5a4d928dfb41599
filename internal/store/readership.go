package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"khabar/internal/news"
)

// Readership narrows the desk's figures (/admin/stats): a period of one
// roll-up and, optionally, the articles counted.
type Readership struct {
	// Grain is the roll-up read; From and To fall on its buckets' starts.
	Grain    Grain
	From, To time.Time
	// Section keeps the articles of a section and its subsections.
	Section int64
	// Own keeps the articles a user made or signs (news.Article's
	// madeBy): a writer's own numbers.
	Own int64
	// Article keeps one article.
	Article int64
}

// ownArticles is the condition on "articles a" that a user made or signs
// the article; it takes the user's id twice.
const ownArticles = " AND (a.created_by = ? OR a.id IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE au.user_id = ?))"

// articleCond is f's condition on "articles a", " AND …", and its
// arguments; "" when f keeps every article.
func (f Readership) articleCond() (string, []any) {
	var sb strings.Builder
	var args []any
	if f.Section > 0 {
		sb.WriteString(" AND (a.section_id = ? OR a.section_id IN (SELECT id FROM sections WHERE parent_id = ?))")
		args = append(args, f.Section, f.Section)
	}
	if f.Own > 0 {
		sb.WriteString(ownArticles)
		args = append(args, f.Own, f.Own)
	}
	if f.Article > 0 {
		sb.WriteString(" AND a.id = ?")
		args = append(args, f.Article)
	}
	return sb.String(), args
}

// rowCond is f's condition on the rows of a roll-up or of the raw hits,
// " AND …", and its arguments; "" when f keeps every page.
func (f Readership) rowCond() (string, []any) {
	switch {
	case f.Article > 0 && f.Section == 0 && f.Own == 0:
		return " AND article_id = ?", []any{f.Article}
	case f.Article > 0 || f.Section > 0 || f.Own > 0:
		cond, args := f.articleCond()
		return " AND article_id IN (SELECT a.id FROM articles a WHERE 1 = 1" + cond + ")", args
	}
	return "", nil
}

// span is the roll-up f reads and its period's arguments.
func (f Readership) span() (string, []any) {
	return rollups[f.Grain].table, []any{f.From.Unix(), f.To.Unix()}
}

// MostViewed are the published articles f keeps, most viewed first.
func (s *Store) MostViewed(ctx context.Context, f Readership, limit int) ([]ArticleViews, error) {
	table, args := f.span()
	cond, more := f.articleCond()
	args = append(append(append(args, string(news.StatusPublished)), more...), limit)
	// Summed first, then joined: one article lookup per article, not per
	// roll-up row.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT t.article_id, t.views FROM (
		SELECT article_id, SUM(views) AS views FROM `+table+` WHERE bucket >= ? AND bucket < ? AND article_id > 0 GROUP BY article_id) t
		JOIN articles a ON a.id = t.article_id WHERE a.status = ?`+cond+` ORDER BY t.views DESC, t.article_id LIMIT ?`), args...)
	return collect(rows, err, "most viewed articles", func(r rowScanner) (ArticleViews, error) {
		var v ArticleViews
		return v, r.Scan(&v.ArticleID, &v.Views)
	})
}

// AudienceOf counts the raw hits of [f.From, f.To) of the pages f keeps
// (f.Grain is not read): only as far back as they are kept.
func (s *Store) AudienceOf(ctx context.Context, f Readership) (Audience, error) {
	var a Audience
	cond, args := f.rowCond()
	err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*), COUNT(DISTINCT visitor) FROM analytics_hits WHERE at >= ? AND at < ?"+cond),
		append([]any{f.From.Unix(), f.To.Unix()}, args...)...).Scan(&a.Views, &a.Visitors)
	if err != nil {
		return a, fmt.Errorf("count the audience: %w", err)
	}
	return a, nil
}

// ReferrerViews are the views f keeps by referrer group, most first.
func (s *Store) ReferrerViews(ctx context.Context, f Readership) ([]GroupViews, error) {
	table, args := f.span()
	cond, more := f.rowCond()
	rows, err := s.db.QueryContext(ctx, s.q("SELECT referrer, SUM(views) AS v FROM "+table+" WHERE bucket >= ? AND bucket < ?"+cond+" GROUP BY referrer ORDER BY v DESC, referrer"),
		append(args, more...)...)
	return collect(rows, err, "views by referrer", func(r rowScanner) (GroupViews, error) {
		var v GroupViews
		return v, r.Scan(&v.Group, &v.Views)
	})
}

// NamedViews are the views of a section's or an author's articles.
type NamedViews struct {
	ID    int64
	Name  string
	Views int64
}

// ViewsBySection are the views of the articles f keeps by the section
// each is in now, most first.
func (s *Store) ViewsBySection(ctx context.Context, f Readership) ([]NamedViews, error) {
	return s.viewsBy(ctx, f, "sections", "JOIN sections g ON g.id = a.section_id")
}

// ViewsByAuthor are the views of the articles f keeps by byline, most
// first: an article two sign counts for both.
func (s *Store) ViewsByAuthor(ctx context.Context, f Readership) ([]NamedViews, error) {
	return s.viewsBy(ctx, f, "authors", "JOIN article_authors ga ON ga.article_id = a.id JOIN authors g ON g.id = ga.author_id")
}

// viewsBy sums the articles' views by the group ("g") join adds.
func (s *Store) viewsBy(ctx context.Context, f Readership, what, join string) ([]NamedViews, error) {
	table, args := f.span()
	cond, more := f.articleCond()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT g.id, g.name, SUM(t.views) AS v FROM (
		SELECT article_id, SUM(views) AS views FROM `+table+` WHERE bucket >= ? AND bucket < ? AND article_id > 0 GROUP BY article_id) t
		JOIN articles a ON a.id = t.article_id `+join+` WHERE 1 = 1`+cond+` GROUP BY g.id, g.name ORDER BY v DESC, g.id`), append(args, more...)...)
	return collect(rows, err, "views by "+what, func(r rowScanner) (NamedViews, error) {
		var v NamedViews
		return v, r.Scan(&v.ID, &v.Name, &v.Views)
	})
}

// ViewsOverTime are the views f keeps in each bucket of its period,
// oldest first.
func (s *Store) ViewsOverTime(ctx context.Context, f Readership) ([]int64, error) {
	size := rollups[f.Grain].size
	n := (f.To.Unix() - f.From.Unix()) / size
	if n <= 0 {
		return nil, nil
	}
	table, args := f.span()
	cond, more := f.rowCond()
	rows, err := s.db.QueryContext(ctx, s.q("SELECT bucket, SUM(views) FROM "+table+" WHERE bucket >= ? AND bucket < ?"+cond+" GROUP BY bucket"),
		append(args, more...)...)
	points, err := collect(rows, err, "views over time", func(r rowScanner) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for _, p := range points {
		out[(p[0]-f.From.Unix())/size] = p[1]
	}
	return out, nil
}

// EffectWindow is how long before and after an alert its article's views
// are compared.
const EffectWindow = 30 * time.Minute

// AlertEffect is an alert and its article's views in the EffectWindow
// before the alert's minute and from it.
type AlertEffect struct {
	Alert         news.Alert // without its progress
	Before, After int64
	// Known: the views are kept, by the minute roll-up or, once it is
	// deleted, in alert_effects; an alert older than the minute roll-up
	// sent before this was kept has none.
	Known bool
}

// window is the minute buckets an alert sent at is compared over: its
// start, the alert's minute and the end.
func window(at time.Time) (int64, int64, int64) {
	m := at.Truncate(time.Minute).Unix()
	w := int64(EffectWindow / time.Second)
	return m - w, m, m + w
}

// AlertEffects are the alerts with an article sent in [from, to), of the
// articles f keeps (its period and grain are not read), latest first, at
// most limit, with their effect as of now.
func (s *Store) AlertEffects(ctx context.Context, f Readership, from, to, now time.Time, limit int) ([]AlertEffect, error) {
	args := []any{utc(from), utc(to)}
	cond := ""
	if f.Section > 0 || f.Own > 0 || f.Article > 0 {
		c, more := f.articleCond()
		cond = " AND article_id IN (SELECT a.id FROM articles a WHERE 1 = 1" + c + ")"
		args = append(args, more...)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+alertCols+", COALESCE(e.views_before, -1), COALESCE(e.views_after, -1) FROM alerts LEFT JOIN alert_effects e ON e.alert_id = alerts.id"+
		" WHERE article_id IS NOT NULL AND created_at >= ? AND created_at < ?"+cond+" ORDER BY created_at DESC, id DESC LIMIT ?"), append(args, limit)...)
	out, err := collect(rows, err, "alerts' effect", func(r rowScanner) (AlertEffect, error) {
		var e AlertEffect
		var err error
		e.Alert, err = scanAlert(tailed{r, []any{&e.Before, &e.After}})
		e.Known = e.Before >= 0
		return e, err
	})
	if err != nil {
		return nil, err
	}
	kept := now.Add(-MinuteKeep).Unix()
	for i, e := range out {
		if start, _, _ := window(e.Alert.CreatedAt); e.Known || start < kept {
			continue
		}
		if out[i].Before, out[i].After, err = s.effect(ctx, e.Alert); err != nil {
			return nil, err
		}
		out[i].Known = true
	}
	return out, nil
}

// tailed scans its row's last columns into tail.
type tailed struct {
	r    rowScanner
	tail []any
}

func (t tailed) Scan(dest ...any) error { return t.r.Scan(append(dest, t.tail...)...) }

// effect reads an alert's views before and after from the minute roll-up.
func (s *Store) effect(ctx context.Context, a news.Alert) (before, after int64, err error) {
	start, at, end := window(a.CreatedAt)
	err = s.db.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(CASE WHEN bucket < ? THEN views ELSE 0 END), 0), COALESCE(SUM(CASE WHEN bucket >= ? THEN views ELSE 0 END), 0)
		FROM analytics_minutes WHERE article_id = ? AND bucket >= ? AND bucket < ?`), at, at, a.ArticleID, start, end).Scan(&before, &after)
	if err != nil {
		return 0, 0, fmt.Errorf("alert %d's effect: %w", a.ID, err)
	}
	return before, after, nil
}

// keepAlertEffects writes down the effect of every alert whose window
// has ended and whose minutes are all still kept, unless it is already:
// the clean-up runs it before deleting minutes, so an alert's effect
// outlives the minute roll-up.
func (s *Store) keepAlertEffects(ctx context.Context, now time.Time) error {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+alertCols+" FROM alerts WHERE article_id IS NOT NULL AND created_at >= ? AND created_at < ?"+
		" AND NOT EXISTS (SELECT 1 FROM alert_effects e WHERE e.alert_id = alerts.id)"),
		utc(now.Add(-MinuteKeep+EffectWindow)), utc(now.Add(-EffectWindow-time.Minute)))
	done, err := collect(rows, err, "alerts to keep the effect of", scanAlert)
	if err != nil {
		return err
	}
	for _, a := range done {
		before, after, err := s.effect(ctx, a)
		if err != nil {
			return err
		}
		if _, err := s.db.ExecContext(ctx, s.q("INSERT INTO alert_effects (alert_id, views_before, views_after) VALUES (?, ?, ?) ON CONFLICT (alert_id) DO NOTHING"),
			a.ID, before, after); err != nil {
			return fmt.Errorf("keep alert %d's effect: %w", a.ID, err)
		}
	}
	return nil
}
