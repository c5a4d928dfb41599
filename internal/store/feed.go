package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"khabar/internal/news"
)

// FeedFilter selects articles for the content API's list, a page at a
// time. The cursor is the last article of the page before: its key time
// (published_at, or updated_at when UpdatedSince is set) and id, so a page
// starts right after it however many articles came out meanwhile.
type FeedFilter struct {
	Statuses                   []news.Status // empty: published only
	SectionID, TagID, AuthorID int64
	// MadeBy keeps only the articles this account created or is on the
	// byline of (a writer's own); 0 keeps all.
	MadeBy int64
	// UpdatedSince, when set, turns the order to updated_at ascending,
	// oldest change first, from this instant on: a sync client's walk.
	UpdatedSince time.Time
	AfterAt      time.Time // the cursor's key time
	AfterID      int64     // the cursor's id; 0: the first page
	Limit        int
}

// Feed lists articles for the content API with their bodies, tags and
// authors: published ones newest first, keyed on (published_at, id), or,
// with UpdatedSince, every change oldest first, keyed on (updated_at, id).
// Articles of other states are keyed on (updated_at, id) newest first,
// since they need not have a publication time.
func (s *Store) Feed(ctx context.Context, f FeedFilter) ([]*news.Article, error) {
	if f.Limit <= 0 {
		f.Limit = 20
	}
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []news.Status{news.StatusPublished}
	}
	var where strings.Builder
	where.WriteString(" WHERE 1 = 1")
	// An author is joined rather than looked up in a subquery: a
	// staffer's byline is on half the articles, and only a join lets
	// SQLite walk the list's index and stop at a page instead of sorting
	// them all (76 ms a page at 20,000 articles).
	from, args := articleFrom, []any{}
	if f.AuthorID > 0 {
		from += " JOIN article_authors fa ON fa.article_id = a.id AND fa.author_id = ?"
		args = append(args, f.AuthorID)
	}
	args = articleScope{statuses: statuses, sectionID: f.SectionID, tagID: f.TagID}.appendSQL(&where, args)
	if f.MadeBy > 0 {
		where.WriteString(" AND (a.created_by = ? OR a.id IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE au.user_id = ?))")
		args = append(args, f.MadeBy, f.MadeBy)
	}
	key, desc := "a.published_at", true
	if !f.UpdatedSince.IsZero() || len(statuses) != 1 || statuses[0] != news.StatusPublished {
		key = "a.updated_at"
	}
	if !f.UpdatedSince.IsZero() {
		desc = false
		where.WriteString(" AND a.updated_at >= ?")
		args = append(args, utc(f.UpdatedSince))
	}
	cmp, dir := "<", " DESC"
	if !desc {
		cmp, dir = ">", ""
	}
	if f.AfterID > 0 {
		// A row value comparison, which both databases read straight
		// off the index.
		fmt.Fprintf(&where, " AND (%s, a.id) %s (?, ?)", key, cmp)
		args = append(args, utc(f.AfterAt), f.AfterID)
	}
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+articleCols+from+where.String()+" ORDER BY "+key+dir+", a.id"+dir+" LIMIT ?"), args...)
	list, err := collect(rows, err, "feed", func(r rowScanner) (*news.Article, error) { return scanArticle(r, true) })
	if err != nil || len(list) == 0 {
		return list, err
	}
	return list, s.attachLinks(ctx, list)
}

// attachLinks reads the tags and authors of list's articles in two
// queries.
func (s *Store) attachLinks(ctx context.Context, list []*news.Article) error {
	byID := make(map[int64]*news.Article, len(list))
	ids := make([]any, len(list))
	for i, a := range list {
		byID[a.ID], ids[i] = a, a.ID
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at.article_id, t.id, t.slug, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
		WHERE at.article_id IN (`+ph+`) ORDER BY at.article_id, at.position`), ids...)
	if err := attach(rows, err, "tags of the feed", byID, scanTag, func(a *news.Article, t news.Tag) { a.Tags = append(a.Tags, t) }); err != nil {
		return err
	}
	rows, err = s.db.QueryContext(ctx, s.q("SELECT aa.article_id, "+authorCols+` FROM article_authors aa JOIN authors au ON au.id = aa.author_id
		WHERE aa.article_id IN (`+ph+`) ORDER BY aa.article_id, aa.position`), ids...)
	return attach(rows, err, "authors of the feed", byID, scanAuthor, func(a *news.Article, au news.Author) { a.Authors = append(a.Authors, au) })
}

// ListTags returns up to limit tags with an id above after, in id order:
// a page of every tag.
func (s *Store) ListTags(ctx context.Context, after int64, limit int) ([]news.Tag, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT t.id, t.slug, t.name FROM tags t WHERE t.id > ? ORDER BY t.id LIMIT ?"), after, limit)
	return collect(rows, err, "list tags", scanTag)
}
