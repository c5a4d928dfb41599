package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"khabar/internal/news"
)

// Hit is one counted page view as it is kept: the visitor's keyed hash,
// never an address or a browser.
type Hit struct {
	At      time.Time
	Visitor int64
	// Kind is the kind of page (article, home, section…); ArticleID and
	// SectionID are 0 when the page has none.
	Kind      string
	ArticleID int64
	SectionID int64
	// Referrer is the referrer's group (whatsapp, google…), never its
	// address.
	Referrer string
}

// Views is a number of views of one page from one referrer group in the
// minute starting At: a row of the roll-ups before it is added.
type Views struct {
	At        time.Time
	Kind      string
	ArticleID int64
	SectionID int64
	Referrer  string
	Views     int64
}

// The roll-ups' grains: each table's bucket is the Unix second its
// minute, hour or (UTC) day starts at.
var rollups = []struct {
	table string
	size  int64
}{{"analytics_minutes", 60}, {"analytics_hours", 3600}, {"analytics_days", 86400}}

// MinuteKeep is how long the per-minute roll-up is kept: the live view
// reads the last half hour; hours and days serve everything older.
const MinuteKeep = 48 * time.Hour

// AddHits keeps a batch of hits and adds them to the roll-ups, in one
// transaction.
func (s *Store) AddHits(ctx context.Context, hits []Hit) error {
	if len(hits) == 0 {
		return nil
	}
	views := make([]Views, len(hits))
	for i, h := range hits {
		views[i] = Views{At: h.At, Kind: h.Kind, ArticleID: h.ArticleID, SectionID: h.SectionID, Referrer: h.Referrer, Views: 1}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		const cols = 6
		for chunk := range slices.Chunk(hits, 1000) {
			args := make([]any, 0, len(chunk)*cols)
			for _, h := range chunk {
				args = append(args, h.At.Unix(), h.Visitor, h.Kind, h.ArticleID, h.SectionID, h.Referrer)
			}
			q := "INSERT INTO analytics_hits (at, visitor, kind, article_id, section_id, referrer) VALUES " + valueRows(len(chunk), cols)
			if _, err := tx.ExecContext(ctx, s.q(q), args...); err != nil {
				return fmt.Errorf("add %d hits: %w", len(hits), err)
			}
		}
		return s.addViews(ctx, tx, views)
	})
}

// AddViews adds counts to the roll-ups without raw hits: what a node
// that counted them would have added (the 10-million-view benchmark
// loads its history so).
func (s *Store) AddViews(ctx context.Context, views []Views) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.addViews(ctx, tx, views) })
}

// viewKey is a roll-up row's key.
type viewKey struct {
	bucket           int64
	kind             string
	article, section int64
	referrer         string
}

func (s *Store) addViews(ctx context.Context, tx *sql.Tx, views []Views) error {
	for _, r := range rollups {
		sums := map[viewKey]int64{}
		for _, v := range views {
			at := v.At.Unix()
			k := viewKey{at - at%r.size, v.Kind, v.ArticleID, v.SectionID, v.Referrer}
			sums[k] += v.Views
		}
		// One key once per statement (PostgreSQL refuses to update a row
		// twice in one upsert), and in one order on every node, so two
		// nodes adding at once wait for each other instead of deadlocking.
		keys := make([]viewKey, 0, len(sums))
		for k := range sums {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b viewKey) int {
			return cmp.Or(cmp.Compare(a.bucket, b.bucket), strings.Compare(a.kind, b.kind), cmp.Compare(a.article, b.article),
				cmp.Compare(a.section, b.section), strings.Compare(a.referrer, b.referrer))
		})
		const cols = 6
		for chunk := range slices.Chunk(keys, 1000) {
			args := make([]any, 0, len(chunk)*cols)
			for _, k := range chunk {
				args = append(args, k.bucket, k.kind, k.article, k.section, k.referrer, sums[k])
			}
			// Adding, never setting: every node's batch counts.
			q := "INSERT INTO " + r.table + " (bucket, kind, article_id, section_id, referrer, views) VALUES " + valueRows(len(chunk), cols) +
				" ON CONFLICT (bucket, kind, article_id, section_id, referrer) DO UPDATE SET views = " + r.table + ".views + excluded.views"
			if _, err := tx.ExecContext(ctx, s.q(q), args...); err != nil {
				return fmt.Errorf("add views to %s: %w", r.table, err)
			}
		}
	}
	return nil
}

// valueRows is "(?, ?), (?, ?)" for rows of cols values each.
func valueRows(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// VisitorSalt is the salt of the visitor hash for the UTC day starting
// at day, made on first use; every node reads the same one.
func (s *Store) VisitorSalt(ctx context.Context, day time.Time) ([]byte, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh)
	if _, err := s.db.ExecContext(ctx, s.q("INSERT INTO analytics_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING"), day.Unix(), fresh); err != nil {
		return nil, fmt.Errorf("make the visitor salt of %s: %w", day.Format(time.DateOnly), err)
	}
	var salt []byte
	if err := s.db.QueryRowContext(ctx, s.q("SELECT salt FROM analytics_salts WHERE day = ?"), day.Unix()).Scan(&salt); err != nil {
		return nil, fmt.Errorf("read the visitor salt of %s: %w", day.Format(time.DateOnly), err)
	}
	return salt, nil
}

// DeleteOldAnalytics deletes the visitor salts of days before today's
// (which makes yesterday's hashes unlinkable to today's), raw hits older
// than keepRaw and per-minute roll-ups older than MinuteKeep, having
// kept the alerts' effects those hold.
func (s *Store) DeleteOldAnalytics(ctx context.Context, now time.Time, keepRaw time.Duration) (int64, error) {
	var n int64
	if err := s.keepAlertEffects(ctx, now); err != nil {
		return 0, err
	}
	for _, d := range []struct {
		what, query string
		before      time.Time
	}{
		{"visitor salts", "DELETE FROM analytics_salts WHERE day < ?", now.UTC().Truncate(24 * time.Hour)},
		{"raw hits", "DELETE FROM analytics_hits WHERE at < ?", now.Add(-keepRaw)},
		{"minute roll-ups", "DELETE FROM analytics_minutes WHERE bucket < ?", now.Add(-MinuteKeep)},
	} {
		res, err := s.db.ExecContext(ctx, s.q(d.query), d.before.Unix())
		if err != nil {
			return n, fmt.Errorf("delete old %s: %w", d.what, err)
		}
		c, _ := res.RowsAffected()
		n += c
	}
	return n, nil
}

// Grain picks the roll-up a query reads.
type Grain int

const (
	ByMinute Grain = iota
	ByHour
	ByDay
)

// ArticleViews is an article's views over a period.
type ArticleViews struct {
	ArticleID int64
	Views     int64
}

// TopArticles are the published articles most viewed in [from, to) by
// the roll-up of grain g (from and to fall on its buckets' starts), of
// section (and its subsections) when not 0; most viewed first.
func (s *Store) TopArticles(ctx context.Context, g Grain, from, to time.Time, section int64, limit int) ([]ArticleViews, error) {
	return s.MostViewed(ctx, Readership{Grain: g, From: from, To: to, Section: section}, limit)
}

// Audience is what the raw hits say of [from, to): views and distinct
// visitors (a visitor's hash changes with the day's salt, so a period
// across midnight counts a returning reader twice).
type Audience struct {
	Views, Visitors int64
}

// AudienceBetween counts the raw hits of [from, to): only as far back as
// they are kept (--analytics-keep-raw).
func (s *Store) AudienceBetween(ctx context.Context, from, to time.Time) (Audience, error) {
	return s.AudienceOf(ctx, Readership{From: from, To: to})
}

// MostReadChange is what RefreshMostRead changed: the site's list, and
// the sections whose lists changed.
type MostReadChange struct {
	Site     bool
	Sections []int64
}

// RefreshMostRead computes «الأكثر قراءة» over the hours since since: the
// site's list and each section's, limit long, of published articles. A
// list whose articles or order changed is kept, with one
// mostread.changed event naming what changed, in one transaction; an
// unchanged one writes nothing, so pages showing it stay cached.
func (s *Store) RefreshMostRead(ctx context.Context, since, now time.Time, limit int) (MostReadChange, error) {
	var ch MostReadChange
	from := since.UTC().Truncate(time.Hour)
	to := now.UTC().Truncate(time.Hour).Add(time.Hour)
	secs, err := s.ListSections(ctx)
	if err != nil {
		return ch, err
	}
	// One pass over the hours, most read first: each article goes to the
	// site's list, its section's and its section's parent's (a
	// section's page lists its subsections' articles), each kept to
	// limit.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT t.article_id, t.views, a.section_id, COALESCE(sec.parent_id, 0) FROM (
		SELECT article_id, SUM(views) AS views FROM analytics_hours WHERE bucket >= ? AND bucket < ? AND article_id > 0 GROUP BY article_id) t
		JOIN articles a ON a.id = t.article_id JOIN sections sec ON sec.id = a.section_id
		WHERE a.status = ? ORDER BY t.views DESC, t.article_id`), from.Unix(), to.Unix(), string(news.StatusPublished))
	type ranked struct {
		ArticleViews
		section, parent int64
	}
	all, err := collect(rows, err, "most read", func(r rowScanner) (ranked, error) {
		var v ranked
		return v, r.Scan(&v.ArticleID, &v.Views, &v.section, &v.parent)
	})
	if err != nil {
		return ch, err
	}
	lists := map[int64][]ArticleViews{0: nil}
	for _, id := range sectionIDs(secs) {
		lists[id] = nil
	}
	for _, v := range all {
		in := []int64{0, v.section}
		if v.parent != 0 {
			in = append(in, v.parent)
		}
		for _, id := range in {
			if l := lists[id]; len(l) < limit {
				lists[id] = append(l, v.ArticleViews)
			}
		}
	}
	err = s.inEventTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT section_id, article_id FROM most_read ORDER BY section_id, rank")
		kept, err := collect(rows, err, "read most read", func(r rowScanner) ([2]int64, error) {
			var v [2]int64
			return v, r.Scan(&v[0], &v[1])
		})
		if err != nil {
			return err
		}
		was := map[int64][]int64{}
		for _, v := range kept {
			was[v[0]] = append(was[v[0]], v[1])
		}
		ids := func(l []ArticleViews) []int64 {
			out := make([]int64, len(l))
			for i, v := range l {
				out[i] = v.ArticleID
			}
			return out
		}
		// Sections deleted since keep no list.
		for id := range was {
			if _, ok := lists[id]; !ok {
				lists[id] = nil
			}
		}
		for id, l := range lists {
			if slices.Equal(was[id], ids(l)) {
				continue
			}
			if id == 0 {
				ch.Site = true
			} else {
				ch.Sections = append(ch.Sections, id)
			}
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM most_read WHERE section_id = ?"), id); err != nil {
				return fmt.Errorf("replace most read: %w", err)
			}
			for rank, v := range l {
				if _, err := tx.ExecContext(ctx, s.q("INSERT INTO most_read (section_id, rank, article_id, views) VALUES (?, ?, ?, ?)"),
					id, rank, v.ArticleID, v.Views); err != nil {
					return fmt.Errorf("replace most read: %w", err)
				}
			}
		}
		if !ch.Site && len(ch.Sections) == 0 {
			return nil
		}
		slices.Sort(ch.Sections)
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventMostReadChanged, Sections: ch.Sections, Site: ch.Site})
	})
	return ch, err
}

func sectionIDs(secs []news.Section) []int64 {
	out := make([]int64, len(secs))
	for i, sec := range secs {
		out[i] = sec.ID
	}
	return out
}

// MostRead is the kept «الأكثر قراءة» list of section (0: the site's),
// most read first, skipping any article withdrawn since it was computed.
func (s *Store) MostRead(ctx context.Context, section int64) ([]news.Article, error) {
	out, err := s.queryArticles(ctx, "SELECT "+cardCols+articleFrom+" JOIN most_read r ON r.article_id = a.id WHERE r.section_id = ? AND a.status = ? ORDER BY r.rank",
		section, string(news.StatusPublished))
	if err != nil {
		return nil, fmt.Errorf("most read of section %d: %w", section, err)
	}
	return out, nil
}

// ArticleMinutes are the views per minute of each of ids over the
// minutes of [from, to) (from and to on minute starts), oldest first:
// the desk's sparklines.
func (s *Store) ArticleMinutes(ctx context.Context, ids []int64, from, to time.Time) (map[int64][]int64, error) {
	n := int(to.Sub(from) / time.Minute)
	out := make(map[int64][]int64, len(ids))
	for _, id := range ids {
		out[id] = make([]int64, n)
	}
	if len(ids) == 0 || n <= 0 {
		return out, nil
	}
	ph, args := placeholders(ids)
	rows, err := s.db.QueryContext(ctx, s.q("SELECT article_id, bucket, SUM(views) FROM analytics_minutes WHERE bucket >= ? AND bucket < ? AND article_id IN ("+ph+") GROUP BY article_id, bucket"),
		append([]any{from.Unix(), to.Unix()}, args...)...)
	points, err := collect(rows, err, "views per minute", func(r rowScanner) ([3]int64, error) {
		var p [3]int64
		return p, r.Scan(&p[0], &p[1], &p[2])
	})
	if err != nil {
		return nil, err
	}
	for _, p := range points {
		out[p[0]][(p[1]-from.Unix())/60] = p[2]
	}
	return out, nil
}

// GroupViews are the views from one referrer group.
type GroupViews struct {
	Group string
	Views int64
}
