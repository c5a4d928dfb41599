package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"khabar/internal/news"
)

// unindexSQLite removes an article's search and typeahead entries.
func unindexSQLite(ctx context.Context, tx *sql.Tx, id int64) error {
	// Its row is id or -id (ftsRowid). One statement per rowid: FTS5 gets
	// no rowid lookup out of "rowid IN (…)", and a rebuild took twice as
	// long.
	for _, rowid := range []int64{id, -id} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM search_fts WHERE rowid = ?", rowid); err != nil {
			return fmt.Errorf("unindex article %d: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM typeahead WHERE article_id = ?", id); err != nil {
		return fmt.Errorf("unindex prefixes of article %d: %w", id, err)
	}
	return nil
}

// TypeaheadKey is one row of the typeahead table: a folded word start of
// a published article's headline, with the article's publication time
// (Unix seconds) and id.
type TypeaheadKey struct {
	Prefix             string
	Published, Article int64
}

// CompareTypeaheadKeys orders keys as the table's primary key does
// (SQLite's BINARY collation is Go's byte order).
func CompareTypeaheadKeys(a, b TypeaheadKey) int {
	return cmp.Or(strings.Compare(a.Prefix, b.Prefix), cmp.Compare(a.Published, b.Published), cmp.Compare(a.Article, b.Article))
}

// typeaheadRows are the typeahead rows of a batch: each published
// article's prefixes, once, from its last document in the batch, in key
// order: written in order they reach the key's B-tree page by page (in
// article order a rebuild of 20,000 headlines took 18 s instead of 11).
func typeaheadRows(docs []SearchDoc) []TypeaheadKey {
	var rows []TypeaheadKey
	for _, d := range latest(docs) {
		if !d.public() {
			continue
		}
		for _, p := range d.Prefixes {
			rows = append(rows, TypeaheadKey{p, d.Published.Unix(), d.ArticleID})
		}
	}
	slices.SortFunc(rows, CompareTypeaheadKeys)
	return slices.Compact(rows)
}

// prefixChunk is how many rows one SQLite statement inserts (three
// parameters each).
const prefixChunk = 300

// indexPrefixesSQLite inserts rows, a chunk per statement; the full
// chunks share one prepared statement.
func indexPrefixesSQLite(ctx context.Context, tx *sql.Tx, rows []TypeaheadKey) error {
	// OR IGNORE: a rebuild's keys may meet those the search consumer
	// wrote for an article changed meanwhile.
	insert := func(n int) string {
		return "INSERT OR IGNORE INTO typeahead (prefix, published, article_id) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", ")
	}
	var full *sql.Stmt
	if len(rows) >= prefixChunk {
		var err error
		if full, err = tx.PrepareContext(ctx, insert(prefixChunk)); err != nil {
			return fmt.Errorf("index prefixes: %w", err)
		}
		defer full.Close()
	}
	args := make([]any, 0, 3*prefixChunk)
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), prefixChunk)]
		rows = rows[len(chunk):]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r.Prefix, r.Published, r.Article)
		}
		var err error
		if len(chunk) == prefixChunk {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insert(len(chunk)), args...)
		}
		if err != nil {
			return fmt.Errorf("index prefixes: %w", err)
		}
	}
	return nil
}

// indexPrefixesPostgres inserts rows in one statement (the batch's
// articles are unindexed already, under their locks).
func indexPrefixesPostgres(ctx context.Context, tx *sql.Tx, rows []TypeaheadKey) error {
	if len(rows) == 0 {
		return nil
	}
	prefixes, published, articles := make([]string, len(rows)), make([]int64, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		prefixes[i], published[i], articles[i] = r.Prefix, r.Published, r.Article
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO typeahead (prefix, published, article_id)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING`, prefixes, published, articles); err != nil {
		return fmt.Errorf("prefixes: %w", err)
	}
	return nil
}

// RebuildTypeahead writes the keys of a rebuilt index, which next gives
// in key order, a part at a time (nil when done), each part in its own
// transaction. Keys written with their articles, batch by batch, land all
// over the table: at 100,000 articles they were half of a rebuild's time.
// In key order each page of the table is filled once; the index by
// article, which such keys reach in no order, is dropped meanwhile and
// made again at the end (Migrate makes it again after a crash).
func (s *Store) RebuildTypeahead(ctx context.Context, next func() []TypeaheadKey) (err error) {
	if s.dialect == SQLite {
		if _, err := s.db.ExecContext(ctx, "DROP INDEX IF EXISTS typeahead_article"); err != nil {
			return fmt.Errorf("rebuild typeahead: %w", err)
		}
		defer func() {
			if _, ierr := s.db.ExecContext(context.WithoutCancel(ctx), typeaheadArticleIndex); ierr != nil && err == nil {
				err = fmt.Errorf("rebuild typeahead: %w", ierr)
			}
		}()
	}
	for keys := next(); keys != nil; keys = next() {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if s.dialect == SQLite {
				return indexPrefixesSQLite(ctx, tx, keys)
			}
			return indexPrefixesPostgres(ctx, tx, keys)
		})
		if err != nil {
			return fmt.Errorf("rebuild typeahead: %d keys: %w", len(keys), err)
		}
	}
	return nil
}

// typeaheadArticleIndex is the typeahead table's index by article, as
// migration 0031 made it: unindexing an article finds its keys by it.
const typeaheadArticleIndex = "CREATE INDEX IF NOT EXISTS typeahead_article ON typeahead(article_id)"

// PublishedHeadline is what the typeahead keys of an article are made of.
type PublishedHeadline struct {
	ID        int64
	Headline  string
	Published time.Time
}

// PublishedHeadlines lists every published article's headline and time.
func (s *Store) PublishedHeadlines(ctx context.Context) ([]PublishedHeadline, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT id, headline, published_at FROM articles WHERE status = ? ORDER BY id"), string(news.StatusPublished))
	return collect(rows, err, "published headlines", func(r rowScanner) (PublishedHeadline, error) {
		var (
			h   PublishedHeadline
			pub sql.NullTime
		)
		err := r.Scan(&h.ID, &h.Headline, &pub)
		h.Published = pub.Time
		return h, err
	})
}

// maxTypeaheadPrefixes bounds the words of one typeahead question.
const maxTypeaheadPrefixes = 6

// TypeaheadArticles returns up to limit published articles (as cards,
// without their body) whose headline has, for each of prefixes, a word
// starting with it, newest first. Prefixes are as the indexer wrote
// them (folded, at most as long as the longest it writes). The rows of
// the longest prefix, likely the rarest, are read newest first from
// their index and the others checked on each, so a common prefix stops
// as soon as it has limit articles.
func (s *Store) TypeaheadArticles(ctx context.Context, prefixes []string, limit int) ([]news.Article, error) {
	prefixes = slices.Compact(slices.Sorted(slices.Values(prefixes)))
	if len(prefixes) == 0 || limit <= 0 {
		return nil, nil
	}
	if len(prefixes) > maxTypeaheadPrefixes {
		return nil, fmt.Errorf("typeahead: %d words, at most %d", len(prefixes), maxTypeaheadPrefixes)
	}
	for _, p := range prefixes {
		if !lookable(p) {
			return nil, fmt.Errorf("typeahead: unusable prefix %q", p)
		}
	}
	slices.SortStableFunc(prefixes, func(a, b string) int { return len(b) - len(a) })
	var query strings.Builder
	query.WriteString("SELECT " + cardCols + articleFrom + " JOIN typeahead t ON t.article_id = a.id WHERE t.prefix = ? AND a.status = ?")
	args := []any{prefixes[0], string(news.StatusPublished)}
	for _, p := range prefixes[1:] {
		// The article's time is in the key: the check is one lookup.
		query.WriteString(" AND EXISTS (SELECT 1 FROM typeahead o WHERE o.prefix = ? AND o.published = t.published AND o.article_id = t.article_id)")
		args = append(args, p)
	}
	query.WriteString(" ORDER BY t.published DESC, t.article_id DESC LIMIT ?")
	list, err := s.queryArticles(ctx, query.String(), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("typeahead %q: %w", prefixes, err)
	}
	return list, nil
}

// PublicName is a section, tag or author readers may be led to.
type PublicName struct {
	Kind string // news.ListSection, news.ListTag or news.ListAuthor
	Slug string
	Name string
}

// PublicNames lists the sections, tags and authors with at least one
// published article: those whose pages show something, and (PublicTag)
// none that only drafts would reveal. Sections hidden from the
// navigation are left out too.
func (s *Store) PublicNames(ctx context.Context) ([]PublicName, error) {
	const published = " JOIN articles a ON a.id = x.article_id WHERE a.status = ?"
	// The kinds are constants, written into the text: PostgreSQL cannot
	// type a parameter that only a UNION's select list holds.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT '`+news.ListSection+`', s.slug, s.name FROM sections s
			WHERE NOT s.hidden AND EXISTS (SELECT 1 FROM articles a WHERE a.section_id = s.id AND a.status = ?)
		UNION ALL SELECT '`+news.ListTag+`', t.slug, t.name FROM tags t WHERE EXISTS (SELECT 1 FROM article_tags x`+published+` AND x.tag_id = t.id)
		UNION ALL SELECT '`+news.ListAuthor+`', au.slug, au.name FROM authors au WHERE EXISTS (SELECT 1 FROM article_authors x`+published+` AND x.author_id = au.id)`),
		string(news.StatusPublished), string(news.StatusPublished), string(news.StatusPublished))
	return collect(rows, err, "public names", func(r rowScanner) (PublicName, error) {
		var n PublicName
		err := r.Scan(&n.Kind, &n.Slug, &n.Name)
		return n, err
	})
}
