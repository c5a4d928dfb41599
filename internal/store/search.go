package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/news"
)

// SearchDoc is an article's analysed text, one term list per field, in
// order (phrase queries need positions).
type SearchDoc struct {
	ArticleID int64
	Headline  []string
	Lead      []string
	Body      []string
	Meta      []string // kicker, tags, author names
	// Prefixes are what a reader typing finds the article by (search as
	// you type), and Published when it was published; none for an
	// article readers cannot see.
	Prefixes  []string
	Published time.Time
}

// Field weights and BM25 constants, shared by both backends so they rank
// alike: FTS5's bm25() with these column weights, and the same formula in
// SQL over our postings on PostgreSQL.
const (
	weightHeadline = 3.0
	weightLead     = 2.0
	weightBody     = 1.0
	weightMeta     = 2.0
	bm25K1         = 1.2
	bm25B          = 0.75
)

// SearchQuery is a parsed query: every phrase must match (a phrase of one
// term is a word), no Not term may.
type SearchQuery struct {
	Phrases   [][]string
	Not       []string
	Statuses  []news.Status // empty: any
	SectionID int64
	AuthorID  int64
	TagID     int64
	From, To  time.Time // published_at range; zero: open
	Live      bool      // live blogs still running only
	ByDate    bool      // newest first instead of by relevance
	// Partial asks for the articles that hold some of the query's words
	// but not all: phrases and exclusions stay strict, and the score is
	// BM25 over the words held times the share of the query's terms held
	// (coordination), so an article with more of them ranks first.
	Partial bool
	Limit   int
	Offset  int
}

// SearchHit is one matching article with its BM25 score (0 when sorted by
// date).
type SearchHit struct {
	ArticleID   int64
	Score       float64
	PublishedAt time.Time
}

// IndexArticles replaces the index entries of the given articles in one
// transaction (batches make a rebuild fast).
func (s *Store) IndexArticles(ctx context.Context, docs []SearchDoc) error {
	if len(docs) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect == SQLite {
			// FTS5 writes out what it holds whenever a row's id is not above
			// the last one's: in id order, a batch is one segment, not one
			// per change between published and unpublished (ftsRowid).
			rows := latest(docs)
			slices.SortFunc(rows, func(a, b *SearchDoc) int { return cmp.Compare(ftsRowid(a), ftsRowid(b)) })
			for _, d := range rows {
				if err := indexSQLite(ctx, tx, d); err != nil {
					return err
				}
			}
			return indexPrefixesSQLite(ctx, tx, typeaheadRows(docs))
		}
		return indexPostgres(ctx, tx, docs)
	})
	if err != nil {
		return fmt.Errorf("index %d articles: %w", len(docs), err)
	}
	return nil
}

// latest is each article's last document in docs (an article twice in a
// batch: its last version wins), in the order of those documents.
func latest(docs []SearchDoc) []*SearchDoc {
	last := make(map[int64]int, len(docs))
	for i := range docs {
		last[docs[i].ArticleID] = i
	}
	out := make([]*SearchDoc, 0, len(last))
	for i := range docs {
		if last[docs[i].ArticleID] == i {
			out = append(out, &docs[i])
		}
	}
	return out
}

// public reports whether readers can see the article d is made of.
func (d *SearchDoc) public() bool { return !d.Published.IsZero() }

// ftsRowid is the FTS5 row of an article: its id when readers can see it,
// the id negated when not. A reader's search asks FTS5 for rowid > 0,
// which it answers inside the index, instead of joining every match to
// articles for its status (at 100,000 articles, a word in a third of them
// took 2 ms to count alone and 139 ms joined).
func ftsRowid(d *SearchDoc) int64 {
	if d.public() {
		return d.ArticleID
	}
	return -d.ArticleID
}

func indexSQLite(ctx context.Context, tx *sql.Tx, d *SearchDoc) error {
	if err := unindexSQLite(ctx, tx, d.ArticleID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO search_fts (rowid, headline, lead, body, meta) VALUES (?, ?, ?, ?, ?)",
		ftsRowid(d), strings.Join(d.Headline, " "), strings.Join(d.Lead, " "), strings.Join(d.Body, " "), strings.Join(d.Meta, " "))
	if err != nil {
		return fmt.Errorf("index article %d: %w", d.ArticleID, err)
	}
	return nil
}

// indexPostgres writes a batch in five statements whatever its size: the
// documents and their postings go in as arrays through unnest, so the SQL
// text never changes (one prepared statement, where a multi-row VALUES
// per article was a new statement to parse and plan each time).
func indexPostgres(ctx context.Context, tx *sql.Tx, docs []SearchDoc) error {
	rows := latest(docs)
	ids := make([]int64, len(rows))
	for i, d := range rows {
		ids[i] = d.ArticleID
	}
	delta, err := unindexPostgres(ctx, tx, ids)
	if err != nil {
		return err
	}
	tsvs, lens := make([]string, len(ids)), make([]int64, len(ids))
	var terms []string
	var articles, postingLens []int64
	var tfs []float64
	for i, d := range rows {
		id := d.ArticleID
		length := len(d.Headline) + len(d.Lead) + len(d.Body) + len(d.Meta)
		tsvs[i], lens[i] = tsvectorLiteral(d), int64(length)
		delta.docs++
		delta.length += int64(length)
		for term, tf := range termFrequencies(d) {
			terms, tfs = append(terms, term), append(tfs, tf)
			articles, postingLens = append(articles, id), append(postingLens, int64(length))
			delta.addTerm(term, 1)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs (article_id, tsv, len)
		SELECT id, tsv::tsvector, len FROM unnest($1::bigint[], $2::text[], $3::int[]) AS d(id, tsv, len)`, ids, tsvs, lens); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_postings (term, article_id, tf, len)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::int[])`, terms, articles, tfs, postingLens); err != nil {
		return fmt.Errorf("postings: %w", err)
	}
	if err := indexPrefixesPostgres(ctx, tx, typeaheadRows(docs)); err != nil {
		return err
	}
	return applyStats(ctx, tx, delta)
}

// termFrequencies is each term's field-weighted count in d, as BM25 on
// PostgreSQL reads it (FTS5 weighs the columns itself).
func termFrequencies(d *SearchDoc) map[string]float64 {
	tf := map[string]float64{}
	for _, f := range []struct {
		terms []string
		w     float64
	}{{d.Headline, weightHeadline}, {d.Lead, weightLead}, {d.Body, weightBody}, {d.Meta, weightMeta}} {
		for _, t := range f.terms {
			tf[t] += f.w
		}
	}
	return tf
}

// statsDelta is a batch's change to search_stats and to its terms'
// document counts, written once per transaction: one row updated per
// article slowed a rebuild by a third.
type statsDelta struct {
	docs, length int64
	terms        map[string]int64
}

func (d *statsDelta) addTerm(term string, n int64) {
	if d.terms == nil {
		d.terms = map[string]int64{}
	}
	d.terms[term] += n
}

func applyStats(ctx context.Context, tx *sql.Tx, d statsDelta) error {
	if d.docs != 0 || d.length != 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE search_stats SET docs = docs + $1, total_len = total_len + $2 WHERE id = 1", d.docs, d.length); err != nil {
			return fmt.Errorf("search stats: %w", err)
		}
	}
	// Terms in one order on every node: two indexers adding to the same
	// terms wait for each other instead of deadlocking.
	terms := make([]string, 0, len(d.terms))
	for t, n := range d.terms {
		if n != 0 {
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 {
		return nil
	}
	slices.Sort(terms)
	counts := make([]int64, len(terms))
	for i, t := range terms {
		counts[i] = d.terms[t]
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_term_docs (term, docs) SELECT * FROM unnest($1::text[], $2::int[])
		ON CONFLICT (term) DO UPDATE SET docs = search_term_docs.docs + excluded.docs`, terms, counts); err != nil {
		return fmt.Errorf("search term counts: %w", err)
	}
	return nil
}

// searchLockClass is the first key of the per-article advisory locks
// that serialise indexing (the second is the article id); other advisory
// locks use the one-key form, a separate space.
const searchLockClass = 74865003

// unindexPostgres removes articles' documents and postings, returning
// what that takes off search_stats. It first locks the articles until the
// transaction ends: two nodes' indexers replacing one article would
// otherwise both delete the old row, then both insert (a duplicate key on
// search_docs) or cross each other's postings (a deadlock), and the stats
// would count the article twice. Locks are taken in id order so
// overlapping batches cannot deadlock.
func unindexPostgres(ctx context.Context, tx *sql.Tx, ids []int64) (statsDelta, error) {
	var delta statsDelta
	sorted := slices.Sorted(slices.Values(ids))
	// unnest yields the array in order; ids past 2³¹ share a lock with a
	// smaller one, which only serialises a little more.
	if _, err := tx.ExecContext(ctx, `SELECT count(pg_advisory_xact_lock($1, (id & 2147483647)::int))
		FROM unnest($2::bigint[]) AS id`, searchLockClass, sorted); err != nil {
		return delta, fmt.Errorf("lock articles for indexing: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "DELETE FROM search_docs WHERE article_id = ANY($1::bigint[]) RETURNING len", ids)
	lens, err := collect(rows, err, "unindex documents", scanOne[int64])
	if err != nil {
		return delta, err
	}
	for _, l := range lens {
		delta.docs--
		delta.length -= l
	}
	rows, err = tx.QueryContext(ctx, "DELETE FROM search_postings WHERE article_id = ANY($1::bigint[]) RETURNING term", ids)
	terms, err := collect(rows, err, "unindex postings", scanOne[string])
	if err != nil {
		return delta, err
	}
	for _, t := range terms {
		delta.addTerm(t, -1)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM typeahead WHERE article_id = ANY($1::bigint[])", ids); err != nil {
		return delta, fmt.Errorf("unindex prefixes: %w", err)
	}
	return delta, nil
}

// fieldGap separates the positions of consecutive fields, so a phrase never
// matches across the end of the headline and the start of the lead.
const fieldGap = 10

// maxPosition is the largest position a tsvector stores.
const maxPosition = 16383

// tsvectorLiteral writes the document as a tsvector with explicit
// positions ('term':1,7 …). Terms hold only letters and digits, so they
// need no escaping inside the quotes.
func tsvectorLiteral(d *SearchDoc) string {
	positions := map[string][]int{}
	var order []string
	pos := 1
	for _, field := range [][]string{d.Headline, d.Lead, d.Body, d.Meta} {
		for _, t := range field {
			if _, ok := positions[t]; !ok {
				order = append(order, t)
			}
			if p := positions[t]; len(p) < 256 { // PostgreSQL keeps at most 256 per lexeme
				positions[t] = append(p, min(pos, maxPosition))
			}
			pos++
		}
		pos += fieldGap
	}
	var sb strings.Builder
	for i, t := range order {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString("'" + t + "':")
		for j, p := range positions[t] {
			if j > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.Itoa(p))
		}
	}
	return sb.String()
}

// UnindexArticle removes an article from the index.
func (s *Store) UnindexArticle(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect == SQLite {
			return unindexSQLite(ctx, tx, id)
		}
		delta, err := unindexPostgres(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		return applyStats(ctx, tx, delta)
	})
	if err != nil {
		return fmt.Errorf("unindex article %d: %w", id, err)
	}
	return nil
}

// ClearSearchIndex empties the index before a rebuild. Row by row, the
// emptying was a rebuild's first cost: DELETE on FTS5 writes a tombstone
// per article into segments the rebuild then merges, and on PostgreSQL it
// deletes 20 million postings at 100,000 articles; FTS5's delete-all and
// TRUNCATE drop them at once.
func (s *Store) ClearSearchIndex(ctx context.Context) error {
	stmts := []string{"TRUNCATE search_postings, search_docs, search_term_docs, typeahead", "UPDATE search_stats SET docs = 0, total_len = 0"}
	if s.dialect == SQLite {
		stmts = []string{"INSERT INTO search_fts (search_fts) VALUES ('delete-all')", "DELETE FROM typeahead"}
	}
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("clear search index: %w", err)
		}
	}
	return nil
}

// CountArticles counts articles in every state.
func (s *Store) CountArticles(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM articles").Scan(&n); err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

// filters appends the article filters of q to a WHERE clause on alias a.
func (q *SearchQuery) filters(sb *strings.Builder, args []any) []any {
	return articleScope{statuses: q.Statuses, sectionID: q.SectionID, tagID: q.TagID, authorID: q.AuthorID,
		from: q.From, to: q.To, live: q.Live}.appendSQL(sb, args)
}

// Search returns the matching articles for one page and the total count.
// Terms must come from internal/arabic: they hold only letters and digits,
// which is what makes quoting them into a MATCH or tsquery string safe.
func (s *Store) Search(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	if len(q.Phrases) == 0 {
		return nil, 0, nil
	}
	for _, p := range q.Phrases {
		for _, t := range p {
			if !safeTerm(t) {
				return nil, 0, fmt.Errorf("search: unsafe term %q", t)
			}
		}
	}
	for _, t := range q.Not {
		if !safeTerm(t) {
			return nil, 0, fmt.Errorf("search: unsafe term %q", t)
		}
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 20
	}
	if s.dialect == SQLite {
		return s.searchSQLite(ctx, q)
	}
	return s.searchPostgres(ctx, q)
}

// safeTerm: letters, digits and marks only.
func safeTerm(t string) bool {
	if t == "" || len(t) > 256 {
		return false
	}
	for _, r := range t {
		if r < 0x80 {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return !strings.ContainsAny(t, "\"'`\u00a0")
}

// ftsMatch is q as an FTS5 query: every phrase; for a partial match
// every phrase of more than one word, or, when there is none, any of the
// words (the count of terms held tells the rest).
func ftsMatch(q *SearchQuery) string {
	var sb strings.Builder
	and := func() {
		if sb.Len() > 0 {
			sb.WriteString(" AND ")
		}
	}
	if q.Partial && !hasPhrase(q.Phrases) {
		sb.WriteString("(" + strings.Join(quoted(words(q.Phrases)), " OR ") + ")")
	}
	for _, p := range q.Phrases {
		if q.Partial && len(p) == 1 {
			continue
		}
		and()
		sb.WriteString(`"` + strings.Join(p, " ") + `"`)
	}
	for _, t := range q.Not {
		sb.WriteString(` NOT "` + t + `"`)
	}
	return sb.String()
}

// readersOnly reports whether q asks for published articles alone, which
// the index tells by its rows' sign (ftsRowid).
func (q *SearchQuery) readersOnly() bool {
	return len(q.Statuses) == 1 && q.Statuses[0] == news.StatusPublished
}

// indexAlone reports whether the index decides q's matches by itself, in
// q's order: a reader's search by relevance with no filter.
func (q *SearchQuery) indexAlone() bool {
	return q.readersOnly() && !q.ByDate && q.SectionID == 0 && q.TagID == 0 && q.AuthorID == 0 && q.From.IsZero() && q.To.IsZero() && !q.Live
}

// ftsPublic narrows a MATCH to the rows readers can see.
func (q *SearchQuery) ftsPublic() string {
	if q.readersOnly() {
		return " AND search_fts.rowid > 0"
	}
	return ""
}

// ftsArticles joins the index's rows to their articles (ftsRowid).
const ftsArticles = " JOIN articles a ON a.id = abs(search_fts.rowid)"

// publicPage joins a page of index rows (p: id, score, then cols) that
// the index alone chose to their articles, for the publication time. An
// article withdrawn since it was indexed (the search consumer has not
// reindexed it yet) is left out of the page, as the full join would.
// CROSS JOIN keeps the page the outer loop: left to itself SQLite walked
// every published article and looked each up in the page (11 ms at
// 100,000 articles, for a page of a few rows).
func publicPage(page, cols string) string {
	return "SELECT a.id, p.score, a.published_at" + cols + " FROM (" + page + ") p CROSS JOIN articles a ON a.id = p.id AND a.status = ? ORDER BY p.score DESC, p.id DESC"
}

func (s *Store) searchSQLite(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	if q.Partial {
		return s.searchSQLitePartial(ctx, q)
	}
	score := fmt.Sprintf("-bm25(search_fts, %g, %g, %g, %g)", weightHeadline, weightLead, weightBody, weightMeta)
	match := " FROM search_fts WHERE search_fts MATCH ?" + q.ftsPublic()
	var total int
	if q.indexAlone() {
		expr := ftsMatch(&q)
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*)"+match, expr).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("search count: %w", err)
		}
		page := "SELECT search_fts.rowid AS id, " + score + " AS score" + match + " ORDER BY score DESC, id DESC LIMIT ? OFFSET ?"
		rows, err := s.db.QueryContext(ctx, publicPage(page, ""), expr, q.Limit, q.Offset, string(news.StatusPublished))
		hits, err := collect(rows, err, "search", func(r rowScanner) (SearchHit, error) { return scanHit(r) })
		return hits, total, err
	}
	var where strings.Builder
	where.WriteString(" FROM search_fts" + ftsArticles + " WHERE search_fts MATCH ?" + q.ftsPublic())
	args := q.filters(&where, []any{ftsMatch(&q)})
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*)"+where.String(), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("search count: %w", err)
	}
	// Drafts have no publication time: last in both orders, on both databases.
	order := " ORDER BY score DESC, a.published_at DESC NULLS LAST, a.id DESC"
	if q.ByDate {
		score, order = "0.0", byDate
	}
	rows, err := s.db.QueryContext(ctx, "SELECT a.id, "+score+" AS score, a.published_at"+where.String()+order+" LIMIT ? OFFSET ?",
		append(args, q.Limit, q.Offset)...)
	hits, err := collect(rows, err, "search", func(r rowScanner) (SearchHit, error) { return scanHit(r) })
	if err != nil {
		return nil, 0, err
	}
	return hits, total, nil
}

const byDate = " ORDER BY a.published_at DESC NULLS LAST, a.id DESC"

// searchSQLitePartial finds the articles holding some of the query's terms
// but not all: by skipping those that cannot reach the page when it can
// (searchSQLitePruned), else by scoring every one.
func (s *Store) searchSQLitePartial(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	if q.prunable() {
		if hits, total, ok, err := s.searchSQLitePruned(ctx, q); err != nil || ok {
			return hits, total, err
		}
	}
	return s.searchSQLiteEvery(ctx, q)
}

// searchSQLiteEvery scores every partial match. Each candidate's BM25 and
// the number of query terms it holds (an index lookup per term: SQLite
// runs each IN list once) are computed once, in a materialized CTE, and
// the total is a window count: written inline, SQLite computed the number
// three times (in the filter, in the score and in a separate COUNT).
func (s *Store) searchSQLiteEvery(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	terms := uniqueTerms(q.Phrases)
	parts := make([]string, len(terms))
	args := make([]any, 0, len(terms)+8)
	for i, t := range terms {
		parts[i] = "(search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?))"
		args = append(args, `"`+t+`"`)
	}
	args = append(args, ftsMatch(&q))
	n := strconv.Itoa(len(terms))
	var query strings.Builder
	fmt.Fprintf(&query, `WITH m AS MATERIALIZED (SELECT search_fts.rowid AS id, -bm25(search_fts, %g, %g, %g, %g) AS bm, %s AS held
		FROM search_fts WHERE search_fts MATCH ?%s) `,
		weightHeadline, weightLead, weightBody, weightMeta, strings.Join(parts, " + "), q.ftsPublic())
	score := "m.bm * m.held / " + n + ".0"
	if q.indexAlone() {
		query.WriteString(publicPage("SELECT m.id, "+score+" AS score, COUNT(*) OVER () AS total FROM m WHERE m.held < "+n+
			" ORDER BY score DESC, m.id DESC LIMIT ? OFFSET ?", ", p.total"))
		args = append(args, q.Limit, q.Offset, string(news.StatusPublished))
		return s.windowed(ctx, q, query.String(), args, s.searchSQLiteEvery)
	}
	query.WriteString("SELECT a.id, " + score + " AS score, a.published_at, COUNT(*) OVER () AS total FROM m JOIN articles a ON a.id = abs(m.id) WHERE m.held < " + n)
	args = q.filters(&query, args)
	if q.ByDate {
		query.WriteString(byDate)
	} else {
		query.WriteString(" ORDER BY score DESC, a.published_at DESC NULLS LAST, a.id DESC")
	}
	query.WriteString(" LIMIT ? OFFSET ?")
	return s.windowed(ctx, q, query.String(), append(args, q.Limit, q.Offset), s.searchSQLiteEvery)
}

// windowed runs a search whose rows end with a window count of every
// match, the same on each row. Past the last page no row carries it, so
// the search runs again from the start to count.
func (s *Store) windowed(ctx context.Context, q SearchQuery, query string, args []any, again func(context.Context, SearchQuery) ([]SearchHit, int, error)) ([]SearchHit, int, error) {
	var total int
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	hits, err := collect(rows, err, "search", func(r rowScanner) (SearchHit, error) {
		h, err := scanHit(r, &total)
		if q.ByDate {
			h.Score = 0
		}
		return h, err
	})
	if err != nil {
		return nil, 0, err
	}
	if len(hits) == 0 && q.Offset > 0 {
		q.Offset = 0
		if _, total, err = again(ctx, q); err != nil {
			return nil, 0, err
		}
	}
	return hits, total, nil
}

// scanHit reads the columns every search selects; extra takes those a
// backend selects after them (PostgreSQL's window count).
func scanHit(r rowScanner, extra ...any) (SearchHit, error) {
	var (
		h   SearchHit
		pub sql.NullTime
	)
	err := r.Scan(append([]any{&h.ArticleID, &h.Score, &pub}, extra...)...)
	h.PublishedAt = pub.Time
	return h, err
}

// tsQuery is q as a tsquery: its phrases (all of them, or only those of
// more than one word for a partial match, whose words the postings
// handle) and exclusions.
func tsQuery(q *SearchQuery) string {
	var parts []string
	for _, p := range q.Phrases {
		if q.Partial && len(p) == 1 {
			continue
		}
		quoted := make([]string, len(p))
		for i, t := range p {
			quoted[i] = "'" + t + "'"
		}
		parts = append(parts, "("+strings.Join(quoted, " <-> ")+")")
	}
	for _, t := range q.Not {
		parts = append(parts, "!'"+t+"'")
	}
	return strings.Join(parts, " & ")
}

// searchPostgres scores with FTS5's BM25: for each query term,
// idf × tf(k1+1) / (tf + k1(1−b+b·len/avglen)), where tf is field-weighted
// and idf = ln((N−n+0.5)/(n+0.5)), at least 1e-6. Candidates come from the
// postings of the query's terms (an index range per term) and must hold
// them all; the GIN tsvector index is consulted only for what postings
// cannot tell, phrase order. Document count and length come from
// search_stats, term document frequencies from search_term_docs.
func (s *Store) searchPostgres(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	terms := uniqueTerms(q.Phrases)
	var docs, totalLen int64
	if err := s.db.QueryRowContext(ctx, "SELECT docs, total_len FROM search_stats WHERE id = 1").Scan(&docs, &totalLen); err != nil {
		return nil, 0, fmt.Errorf("search stats: %w", err)
	}
	type termDF struct {
		term string
		n    int64
	}
	rows, err := s.db.QueryContext(ctx, termDocs, terms)
	counts, err := collect(rows, err, "search df", func(r rowScanner) (termDF, error) {
		var c termDF
		err := r.Scan(&c.term, &c.n)
		return c, err
	})
	if err != nil {
		return nil, 0, err
	}
	df := make(map[string]int64, len(counts))
	for _, c := range counts {
		df[c.term] = c.n
	}
	if len(df) < len(terms) && !q.Partial {
		return nil, 0, nil // a term no document holds: nothing can match all
	}
	idfs := make([]float64, len(terms))
	for i, t := range terms {
		n := float64(df[t])
		idfs[i] = math.Max(math.Log((float64(docs)-n+0.5)/(n+0.5)), 1e-6)
	}
	avgLen := math.Max(float64(totalLen)/math.Max(float64(docs), 1), 1)

	// Score the postings first (an index-only scan per term), keep the
	// articles holding every term, then apply phrases, exclusions and
	// filters to those alone.
	var query strings.Builder
	// Full: every term held. Partial: some but not all, the score times
	// the share held (coordination), as on SQLite.
	held, coord := "HAVING COUNT(*) = ?", "1.0"
	if q.Partial {
		held, coord = "HAVING COUNT(*) < ?", "COUNT(*)::float8 / "+strconv.Itoa(len(terms))
	}
	args := []any{bm25K1 + 1, bm25K1, bm25B, bm25B, avgLen}
	// Every term of a question is in few articles: the GIN index's
	// intersection finds them, and only their postings are read, where
	// the postings of every term (in 30,000–47,000 of 100,000 articles)
	// were added up to keep the few holding all.
	postings, gin := "search_postings p", !q.Partial && len(terms) >= ginTerms
	if gin {
		postings = "(SELECT article_id FROM search_docs WHERE tsv @@ ?::tsquery) m JOIN search_postings p ON p.article_id = m.article_id"
		args = append(args, tsQuery(&q))
	}
	args = append(args, terms, idfs, terms, len(terms))
	query.WriteString(`WITH c AS MATERIALIZED (
		SELECT p.article_id, SUM(qt.idf * p.tf * ?::float8 / (p.tf + ?::float8 * (1 - ?::float8 + ?::float8 * p.len / ?::float8))) * ` + coord + ` AS score
		FROM ` + postings + ` JOIN unnest(?::text[], ?::float8[]) AS qt(term, idf) ON qt.term = p.term
		WHERE p.term = ANY(?::text[]) GROUP BY p.article_id ` + held + `)
		SELECT a.id, c.score, a.published_at, COUNT(*) OVER () AS total
		FROM c JOIN articles a ON a.id = c.article_id`)
	// Through GIN, the tsquery held the phrases and exclusions already.
	if hasPhrase(q.Phrases) && !gin {
		query.WriteString(" JOIN search_docs d ON d.article_id = c.article_id AND d.tsv @@ ?::tsquery")
		args = append(args, tsQuery(&q))
	}
	query.WriteString(" WHERE 1 = 1")
	if len(q.Not) > 0 && !gin {
		query.WriteString(" AND NOT EXISTS (SELECT 1 FROM search_postings x WHERE x.article_id = c.article_id AND x.term = ANY(?::text[]))")
		args = append(args, q.Not)
	}
	args = q.filters(&query, args)
	if q.ByDate {
		query.WriteString(byDate)
	} else {
		query.WriteString(" ORDER BY c.score DESC, a.published_at DESC NULLS LAST, a.id DESC")
	}
	query.WriteString(" LIMIT ? OFFSET ?")
	return s.windowed(ctx, q, query.String(), append(args, q.Limit, q.Offset), s.searchPostgres)
}

// ginTerms is the number of terms from which PostgreSQL finds the articles
// holding every one through the GIN index (searchPostgres).
const ginTerms = 4

// termDocs reads terms' document counts on PostgreSQL; a term whose
// articles are all gone keeps a row counting none.
const termDocs = "SELECT term, docs FROM search_term_docs WHERE term = ANY($1::text[]) AND docs > 0"

// TermCounts says how many articles hold each of terms (absent: none).
func (s *Store) TermCounts(ctx context.Context, terms []string) (map[string]int, error) {
	out := map[string]int{}
	if len(terms) == 0 {
		return out, nil
	}
	for _, t := range terms {
		if !safeTerm(t) {
			return nil, fmt.Errorf("term counts: unsafe term %q", t)
		}
	}
	var rows *sql.Rows
	var err error
	if s.dialect == SQLite {
		args := make([]any, len(terms))
		for i, t := range terms {
			args[i] = t
		}
		rows, err = s.db.QueryContext(ctx, "SELECT term, doc FROM search_terms WHERE term IN ("+strings.Repeat("?, ", len(terms)-1)+"?)", args...)
	} else {
		rows, err = s.db.QueryContext(ctx, termDocs, terms)
	}
	type count struct {
		term string
		n    int
	}
	counts, err := collect(rows, err, "term counts", func(r rowScanner) (count, error) {
		var c count
		err := r.Scan(&c.term, &c.n)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		out[c.term] = c.n
	}
	return out, nil
}

func uniqueTerms(phrases [][]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range phrases {
		for _, t := range p {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// words are the one-word phrases of a query.
func words(phrases [][]string) []string {
	var out []string
	for _, p := range phrases {
		if len(p) == 1 {
			out = append(out, p[0])
		}
	}
	return out
}

// quoted puts each term in double quotes, for FTS5.
func quoted(terms []string) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = `"` + t + `"`
	}
	return out
}

func hasPhrase(phrases [][]string) bool {
	for _, p := range phrases {
		if len(p) > 1 {
			return true
		}
	}
	return false
}

// NearPairs counts, for each of the articles ids, how many of pairs have
// their two terms within near terms of each other, in either order and in
// one field: FTS5's NEAR on SQLite, the same distances as tsquery
// alternatives over the tsvector's positions on PostgreSQL (whose fields
// are fieldGap apart, so no pair is near across two).
func (s *Store) NearPairs(ctx context.Context, ids []int64, pairs [][2]string, near int) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 || len(pairs) == 0 {
		return out, nil
	}
	for _, p := range pairs {
		if !safeTerm(p[0]) || !safeTerm(p[1]) {
			return nil, fmt.Errorf("near pairs: unsafe term in %q", p)
		}
	}
	if s.dialect == SQLite {
		// FTS5 answers "rowid IN (…)" with one lookup of the whole MATCH
		// per id (200 ids: 40–90 ms at 100,000 articles), while walking
		// the NEAR over the ids' range and keeping the ids here costs what
		// the search itself did (about 1 ms). The range is walked on both
		// sides of zero (ftsRowid): the unpublished side holds few rows.
		want := make(map[int64]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		lo, hi := slices.Min(ids), slices.Max(ids)
		for _, p := range pairs {
			rows, err := s.db.QueryContext(ctx, `SELECT abs(rowid) FROM search_fts WHERE search_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3
				UNION ALL SELECT abs(rowid) FROM search_fts WHERE search_fts MATCH ?1 AND rowid BETWEEN -?3 AND -?2`,
				fmt.Sprintf(`NEAR("%s" "%s", %d)`, p[0], p[1], near), lo, hi)
			found, err := collect(rows, err, "near pairs", scanOne[int64])
			if err != nil {
				return nil, err
			}
			for _, id := range found {
				if want[id] {
					out[id]++
				}
			}
		}
		return out, nil
	}
	// FTS5's NEAR n allows n terms between the two: positions up to n+1
	// apart.
	var sum []string
	args := []any{ids}
	for _, p := range pairs {
		var alts []string
		for d := 1; d <= near+1; d++ {
			alts = append(alts, fmt.Sprintf("'%s' <%d> '%s'", p[0], d, p[1]), fmt.Sprintf("'%s' <%d> '%s'", p[1], d, p[0]))
		}
		args = append(args, strings.Join(alts, " | "))
		sum = append(sum, fmt.Sprintf("(tsv @@ $%d::tsquery)::int", len(args)))
	}
	type nearCount struct {
		id int64
		n  int
	}
	rows, err := s.db.QueryContext(ctx, "SELECT article_id, "+strings.Join(sum, " + ")+" FROM search_docs WHERE article_id = ANY($1::bigint[])", args...)
	counts, err := collect(rows, err, "near pairs", func(r rowScanner) (nearCount, error) {
		var n nearCount
		err := r.Scan(&n.id, &n.n)
		return n, err
	})
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		if c.n > 0 {
			out[c.id] = c.n
		}
	}
	return out, nil
}

// prunable reports whether a partial match can skip the articles that
// cannot reach the page (searchSQLitePruned): a reader's search of words
// alone, by relevance, for one of its first pages.
func (q *SearchQuery) prunable() bool {
	return q.Partial && q.indexAlone() && !hasPhrase(q.Phrases) && len(q.Not) == 0 && q.Offset+q.Limit <= maxPrunedRank
}

// maxPrunePasses bounds the passes of searchSQLitePruned before it falls
// back to scoring every candidate; past maxPrunedRank a page's last score
// is too low to skip much, and every candidate is scored at once.
const (
	maxPrunePasses = 4
	maxPrunedRank  = 200
)

// searchSQLitePruned finds the best partial matches without scoring every
// article holding any of the query's words: MaxScore (Turtle and Flood,
// 1995). A term adds at most idf×(k1+1) to BM25, so the articles holding
// only the commonest terms have a ceiling; once a first pass over the
// articles holding the rarest terms has found a page of matches scoring
// above it, those articles are left out unscored. A ten-word question's
// words are in 30,000–47,000 of 100,000 articles, its rarest ones in a few
// thousand. The order and scores are those of searchSQLiteEvery; ok is
// false when the terms leave nothing to skip, and the caller scores
// every candidate.
func (s *Store) searchSQLitePruned(ctx context.Context, q SearchQuery) (hits []SearchHit, total int, ok bool, err error) {
	terms := uniqueTerms(q.Phrases)
	df, err := s.TermCounts(ctx, terms)
	if err != nil {
		return nil, 0, false, err
	}
	rows, err := s.ftsRows(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	// The terms articles hold, those with the highest ceiling first; a
	// term no article holds adds nothing to any score.
	type bound struct {
		term string
		max  float64
	}
	var held []bound
	for _, t := range terms {
		if n := float64(df[t]); n > 0 {
			held = append(held, bound{t, math.Max(math.Log((rows-n+0.5)/(n+0.5)), 1e-6) * (bm25K1 + 1)})
		}
	}
	if len(held) < 2 {
		return nil, 0, false, nil // every candidate holds the one term: nothing to skip
	}
	slices.SortFunc(held, func(a, b bound) int { return cmp.Or(cmp.Compare(b.max, a.max), strings.Compare(a.term, b.term)) })
	// essential is how many of the first terms an article must hold to
	// score above floor: those after them together stay below it.
	essential := func(floor float64) int {
		var sum float64
		for i := len(held) - 1; i > 0; i-- {
			sum += held[i].max
			share := float64(min(len(held)-i, len(terms)-1)) / float64(len(terms))
			if sum*share >= floor*(1-1e-9) {
				return i + 1
			}
		}
		return 1
	}
	k := q.Offset + q.Limit
	// The first pass takes the rarest terms until they are in two pages'
	// worth of articles.
	m, in := 0, 0
	for m < len(held)-1 && in < 2*k {
		in += df[held[m].term]
		m++
	}
	names := make([]string, len(held))
	for i, h := range held {
		names[i] = h.term
	}
	for pass := 0; m < len(held) && pass < maxPrunePasses; pass++ {
		if hits, err = s.prunedPass(ctx, terms, names[:m], names[m:], k); err != nil {
			return nil, 0, false, err
		}
		if len(hits) < k {
			m++ // not a page yet: no floor
			continue
		}
		need := essential(hits[k-1].Score)
		if need <= m {
			if total, err = s.partialTotal(ctx, terms); err != nil {
				return nil, 0, false, err
			}
			return hits[min(q.Offset, len(hits)):], total, true, nil
		}
		m = need
	}
	return nil, 0, false, nil
}

// prunedPass scores the articles holding any of top (the rarest terms
// articles hold; rest are the others) and not every term, and returns the
// k best readers can see. FTS5 scores only
// the phrases of its MATCH: BM25 over every term of the articles holding
// one of top is bm25(top AND any) − bm25(top), the same rows both times.
func (s *Store) prunedPass(ctx context.Context, terms, top, rest []string, k int) ([]SearchHit, error) {
	either := func(ts []string) string { return "(" + strings.Join(quoted(ts), " OR ") + ")" }
	bm := fmt.Sprintf("bm25(search_fts, %g, %g, %g, %g)", weightHeadline, weightLead, weightBody, weightMeta)
	args := []any{either(top) + " AND " + either(terms), either(top)}
	var holds []string
	for _, t := range top {
		holds = append(holds, "SELECT rowid AS id FROM search_fts WHERE search_fts MATCH ? AND rowid > 0")
		args = append(args, `"`+t+`"`)
	}
	for _, t := range rest {
		holds = append(holds, "SELECT rowid AS id FROM search_fts WHERE search_fts MATCH ? AND rowid > 0")
		args = append(args, `"`+t+`" AND `+either(top))
	}
	n := strconv.Itoa(len(terms))
	query := `WITH every AS MATERIALIZED (SELECT rowid AS id, ` + bm + ` AS s FROM search_fts WHERE search_fts MATCH ? AND rowid > 0),
		rare AS MATERIALIZED (SELECT rowid AS id, ` + bm + ` AS s FROM search_fts WHERE search_fts MATCH ? AND rowid > 0),
		h AS MATERIALIZED (SELECT id, COUNT(*) AS held FROM (` + strings.Join(holds, " UNION ALL ") + `) GROUP BY id) ` +
		publicPage(`SELECT every.id AS id, (rare.s - every.s) * h.held / `+n+`.0 AS score FROM every JOIN rare ON rare.id = every.id
		JOIN h ON h.id = every.id WHERE h.held < `+n+` ORDER BY score DESC, id DESC LIMIT ?`, "")
	rows, err := s.db.QueryContext(ctx, query, append(args, k, string(news.StatusPublished))...)
	return collect(rows, err, "search, some words", func(r rowScanner) (SearchHit, error) { return scanHit(r) })
}

// partialTotal counts the articles readers can see holding some of terms
// but not all.
func (s *Store) partialTotal(ctx context.Context, terms []string) (int, error) {
	var total int
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH ? AND rowid > 0)
		- (SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH ? AND rowid > 0)`,
		strings.Join(quoted(terms), " OR "), strings.Join(quoted(terms), " AND ")).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("search, some words: count: %w", err)
	}
	return total, nil
}

// ftsRows is the number of rows in the FTS5 index, as its bm25() reads
// it: the first varint of the index's averages record (rowid 1 of its
// data table).
func (s *Store) ftsRows(ctx context.Context) (float64, error) {
	var rec []byte
	if err := s.db.QueryRowContext(ctx, "SELECT block FROM search_fts_data WHERE id = 1").Scan(&rec); err != nil {
		return 0, fmt.Errorf("search index rows: %w", err)
	}
	// SQLite's varint: big-endian groups of seven bits, the high bit set on
	// all but the last; a ninth byte gives all eight.
	var v uint64
	for i, b := range rec {
		if i == 8 {
			return float64(v<<8 | uint64(b)), nil
		}
		v = v<<7 | uint64(b&0x7f)
		if b < 0x80 {
			return float64(v), nil
		}
	}
	return 0, fmt.Errorf("search index rows: short averages record (%d bytes)", len(rec))
}
