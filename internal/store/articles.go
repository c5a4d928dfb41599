package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"khabar/internal/news"
)

const articleCols = `a.id, a.slug, a.kicker, a.headline, a.lead, a.body, a.section_id, a.source, a.language,
	a.status, a.breaking, a.pinned, a.live, a.comments_mode, a.seo_title, a.seo_description, a.featured_id,
	a.published_at, a.updated_at, a.created_at, a.version, a.external_id, a.comment_count,
	s.slug, s.name, s.position, s.comments_mode,
	m.path, m.mime, m.width, m.height, m.alt, m.caption, m.credit, m.variants,
	a.publish_at, a.unpublish_at, a.review_note, a.created_by, a.staged IS NOT NULL, a.edited_at`

const articleFrom = ` FROM articles a JOIN sections s ON s.id = a.section_id LEFT JOIN media m ON m.id = a.featured_id`

// cardCols is articleCols without the body, which lists never show and
// which is most of a row's size.
var cardCols = strings.Replace(articleCols, "a.body", "'[]'", 1)

type rowScanner interface{ Scan(dest ...any) error }

func scanArticle(r rowScanner, withBody bool) (*news.Article, error) {
	var (
		a                                 news.Article
		sec                               news.Section
		body, status, comments, secMode   string
		featured                          sql.NullInt64
		published                         sql.NullTime
		mPath, mMIME, mAlt, mCap, mCredit sql.NullString
		mW, mH                            sql.NullInt64
		external, mVariants               sql.NullString
		publishAt, unpublishAt, edited    sql.NullTime
		createdBy                         sql.NullInt64
	)
	err := r.Scan(&a.ID, &a.Slug, &a.Kicker, &a.Headline, &a.Lead, &body, &a.SectionID, &a.Source, &a.Language,
		&status, &a.Breaking, &a.Pinned, &a.Live, &comments, &a.SEOTitle, &a.SEODescription, &featured,
		&published, &a.UpdatedAt, &a.CreatedAt, &a.Version, &external, &a.CommentCount,
		&sec.Slug, &sec.Name, &sec.Position, &secMode,
		&mPath, &mMIME, &mW, &mH, &mAlt, &mCap, &mCredit, &mVariants,
		&publishAt, &unpublishAt, &a.ReviewNote, &createdBy, &a.HasStaged, &edited)
	if err != nil {
		return nil, err
	}
	a.Status = news.Status(status)
	a.CommentsMode = news.CommentsMode(comments)
	a.PublishedAt = published.Time
	a.ExternalID = external.String
	a.PublishAt, a.UnpublishAt, a.EditedAt = publishAt.Time, unpublishAt.Time, edited.Time
	if !edited.Valid { // saved before the workflow kept the time
		a.EditedAt = a.UpdatedAt
	}
	a.CreatedBy = createdBy.Int64
	sec.ID = a.SectionID
	sec.CommentsMode = news.CommentsMode(secMode)
	a.Section = &sec
	if featured.Valid && mPath.Valid {
		a.FeaturedID = featured.Int64
		a.Featured = &news.Media{ID: featured.Int64, Path: mPath.String, MIME: mMIME.String,
			Width: int(mW.Int64), Height: int(mH.Int64), Alt: mAlt.String, Caption: mCap.String, Credit: mCredit.String}
		if err := decodeVariants(mVariants.String, a.Featured); err != nil {
			return nil, err
		}
	}
	if withBody {
		if err := json.Unmarshal([]byte(body), &a.Body); err != nil {
			return nil, fmt.Errorf("article %d: bad body: %w", a.ID, err)
		}
	}
	return &a, nil
}

// GetArticle reads an article with its section, featured image, tags and
// authors, in any state.
func (s *Store) GetArticle(ctx context.Context, id int64) (*news.Article, error) {
	return s.getArticle(ctx, s.db, id)
}

// getArticle is GetArticle on db, which may be a transaction.
func (s *Store) getArticle(ctx context.Context, db querier, id int64) (*news.Article, error) {
	a, err := scanArticle(db.QueryRowContext(ctx, s.q("SELECT "+articleCols+articleFrom+" WHERE a.id = ?"), id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("article %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get article %d: %w", id, err)
	}
	if a.Tags, err = s.articleTags(ctx, db, id); err != nil {
		return nil, err
	}
	if a.Authors, err = s.articleAuthors(ctx, db, id); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Store) articleTags(ctx context.Context, db querier, id int64) ([]news.Tag, error) {
	rows, err := db.QueryContext(ctx, s.q("SELECT t.id, t.slug, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ? ORDER BY at.position"), id)
	return collect(rows, err, fmt.Sprintf("tags of article %d", id), scanTag)
}

func scanTag(r rowScanner) (news.Tag, error) {
	var t news.Tag
	err := r.Scan(&t.ID, &t.Slug, &t.Name)
	return t, err
}

func (s *Store) articleAuthors(ctx context.Context, db querier, id int64) ([]news.Author, error) {
	rows, err := db.QueryContext(ctx, s.q("SELECT "+authorCols+" FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = ? ORDER BY aa.position"), id)
	return collect(rows, err, fmt.Sprintf("authors of article %d", id), scanAuthor)
}

// CreateArticle normalises, validates and inserts a, filling its id,
// version and times. Tags without an id are found or created by slug.
func (s *Store) CreateArticle(ctx context.Context, a *news.Article) error {
	return s.createArticle(ctx, a, nil)
}

// createArticle is CreateArticle, running also (when not nil) in the same
// transaction once a has its id.
func (s *Store) createArticle(ctx context.Context, a *news.Article, also func(tx *sql.Tx) error) error {
	if err := a.Normalize(); err != nil {
		return fmt.Errorf("create article: %w", err)
	}
	t := now()
	a.CreatedAt, a.EditedAt, a.Version = t, t, 1
	if a.Status == news.StatusPublished && a.PublishedAt.IsZero() {
		a.PublishedAt = t
	}
	// Imports and the demo bring their own history; a new article is
	// updated when it is created.
	if a.UpdatedAt.IsZero() || a.UpdatedAt.After(t) {
		a.UpdatedAt = t
	}
	a.PublishedAt, a.UpdatedAt = utc(a.PublishedAt), utc(a.UpdatedAt)
	body, err := json.Marshal(blocksOrEmpty(a.Body))
	if err != nil {
		return fmt.Errorf("create article: %w", err)
	}
	err = s.inEventTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkSectionOpen(ctx, tx, a.SectionID); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, `INSERT INTO articles (slug, kicker, headline, lead, body, section_id, source, language,
			status, breaking, pinned, live, comments_mode, seo_title, seo_description, featured_id, published_at, updated_at, created_at, version, external_id,
			publish_at, unpublish_at, review_note, created_by, edited_at, draft_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Slug, a.Kicker, a.Headline, a.Lead, string(body), a.SectionID, a.Source, a.Language,
			string(a.Status), a.Breaking, a.Pinned, a.Live, string(a.CommentsMode), a.SEOTitle, a.SEODescription,
			nullID(a.FeaturedID), nullTime(a.PublishedAt), a.UpdatedAt, a.CreatedAt, a.Version, nullString(a.ExternalID),
			nullTime(a.PublishAt), nullTime(a.UnpublishAt), a.ReviewNote, nullID(a.CreatedBy), a.EditedAt, nullString(a.DraftKey))
		if err != nil {
			return mapConstraint(err)
		}
		a.ID = id
		if err := s.saveLinks(ctx, tx, a); err != nil {
			return err
		}
		if err := s.writeRevision(ctx, tx, a); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		if a.Status != news.StatusPublished {
			return s.writeEvent(ctx, tx, news.Event{Kind: news.EventArticleSaved, ArticleID: a.ID})
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventArticlePublished, ArticleID: a.ID, Listing: true,
			Sections: []int64{a.SectionID}, Tags: tagIDs(a.Tags), Authors: authorIDs(a.Authors)})
	})
	if err != nil {
		return fmt.Errorf("create article %q: %w", a.Headline, err)
	}
	return nil
}

// UpdateArticle saves a over the stored article if a.Version is still the
// stored version (optimistic locking), then bumps the version and keeps
// the save as a revision (unless ctx is WithoutRevision). A change that
// touches published state writes the matching event.
func (s *Store) UpdateArticle(ctx context.Context, a *news.Article) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		if err := s.updateArticle(ctx, tx, a); err != nil {
			return err
		}
		return s.writeRevision(ctx, tx, a)
	})
	if err != nil {
		return fmt.Errorf("update article %d: %w", a.ID, err)
	}
	return nil
}

// updateArticle is UpdateArticle inside tx, which the workflow shares.
func (s *Store) updateArticle(ctx context.Context, tx *sql.Tx, a *news.Article) error {
	if err := a.Normalize(); err != nil {
		return err
	}
	body, err := json.Marshal(blocksOrEmpty(a.Body))
	if err != nil {
		return err
	}
	var (
		old       news.Article
		oldStatus string
		oldFeat   sql.NullInt64
		oldPub    sql.NullTime
	)
	err = tx.QueryRowContext(ctx, s.q("SELECT status, section_id, slug, headline, kicker, lead, breaking, pinned, featured_id, published_at, version FROM articles WHERE id = ?"), a.ID).
		Scan(&oldStatus, &old.SectionID, &old.Slug, &old.Headline, &old.Kicker, &old.Lead, &old.Breaking, &old.Pinned, &oldFeat, &oldPub, &old.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return news.ErrNotFound
	}
	if err != nil {
		return err
	}
	if old.Version != a.Version {
		return news.ErrConflict
	}
	if old.SectionID != a.SectionID {
		if err := s.checkSectionOpen(ctx, tx, a.SectionID); err != nil {
			return err
		}
	}
	if old.Tags, err = s.articleTags(ctx, tx, a.ID); err != nil {
		return err
	}
	if old.Authors, err = s.articleAuthors(ctx, tx, a.ID); err != nil {
		return err
	}
	t := now()
	if a.Status == news.StatusPublished && a.PublishedAt.IsZero() {
		a.PublishedAt = t
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE articles SET slug = ?, kicker = ?, headline = ?, lead = ?, body = ?, section_id = ?,
		source = ?, language = ?, status = ?, breaking = ?, pinned = ?, live = ?, comments_mode = ?, seo_title = ?, seo_description = ?,
		featured_id = ?, published_at = ?, updated_at = ?, version = version + 1,
		publish_at = ?, unpublish_at = ?, review_note = ?, edited_at = ? WHERE id = ? AND version = ?`),
		a.Slug, a.Kicker, a.Headline, a.Lead, string(body), a.SectionID, a.Source, a.Language, string(a.Status),
		a.Breaking, a.Pinned, a.Live, string(a.CommentsMode), a.SEOTitle, a.SEODescription, nullID(a.FeaturedID),
		nullTime(a.PublishedAt), t, nullTime(a.PublishAt), nullTime(a.UnpublishAt), a.ReviewNote, t, a.ID, a.Version)
	if err != nil {
		return mapConstraint(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return news.ErrConflict
	}
	a.UpdatedAt, a.EditedAt = t, t
	a.Version++
	if err := s.saveLinks(ctx, tx, a); err != nil {
		return err
	}
	wasPublic, isPublic := oldStatus == string(news.StatusPublished), a.IsPublic()
	if !wasPublic && !isPublic {
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventArticleSaved, ArticleID: a.ID})
	}
	ev := news.Event{ArticleID: a.ID,
		Sections: union([]int64{old.SectionID}, []int64{a.SectionID}),
		Tags:     union(tagIDs(old.Tags), tagIDs(a.Tags)),
		Authors:  union(authorIDs(old.Authors), authorIDs(a.Authors))}
	switch {
	case isPublic && !wasPublic:
		ev.Kind, ev.Listing = news.EventArticlePublished, true
	case wasPublic && !isPublic:
		ev.Kind, ev.Listing = news.EventArticleUnpublished, true
	default:
		ev.Kind = news.EventArticleUpdated
		// Anything a card, a list or the ticker shows, or that decides
		// which lists the article is in.
		ev.Listing = old.Headline != a.Headline || old.Kicker != a.Kicker || old.Lead != a.Lead ||
			old.Slug != a.Slug || old.Breaking != a.Breaking || old.Pinned != a.Pinned || oldFeat.Int64 != a.FeaturedID ||
			old.SectionID != a.SectionID || !oldPub.Time.Equal(a.PublishedAt) ||
			!sameIDs(tagIDs(old.Tags), tagIDs(a.Tags)) || !sameIDs(authorIDs(old.Authors), authorIDs(a.Authors))
	}
	return s.writeEvent(ctx, tx, ev)
}

// SetStatus moves an article to st (publish, unpublish, …), refusing a
// stale version.
func (s *Store) SetStatus(ctx context.Context, id, version int64, st news.Status) (*news.Article, error) {
	a, err := s.GetArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Version != version {
		return nil, fmt.Errorf("set status of article %d: %w", id, news.ErrConflict)
	}
	a.Status = st
	if err := s.UpdateArticle(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// saveLinks writes what an article row refers to (tags, authors) and
// checks its images, after the row itself is written.
func (s *Store) saveLinks(ctx context.Context, tx *sql.Tx, a *news.Article) error {
	if err := s.setArticleLinks(ctx, tx, a); err != nil {
		return err
	}
	if err := s.checkMedia(ctx, tx, a.Body); err != nil {
		return err
	}
	return s.checkImageTexts(ctx, tx, a)
}

// setArticleLinks replaces the article's tags and authors, creating tags
// given only by name.
func (s *Store) setArticleLinks(ctx context.Context, tx *sql.Tx, a *news.Article) error {
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM article_tags WHERE article_id = ?"), a.ID); err != nil {
		return fmt.Errorf("clear tags: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM article_authors WHERE article_id = ?"), a.ID); err != nil {
		return fmt.Errorf("clear authors: %w", err)
	}
	seen := map[int64]bool{}
	tags := a.Tags[:0]
	for _, t := range a.Tags {
		if t.ID == 0 {
			et, err := s.ensureTag(ctx, tx, t.Name)
			if err != nil {
				return err
			}
			if et.ID == 0 {
				continue // a name with no letters: nothing to tag
			}
			t = et
		}
		if seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)"), a.ID, t.ID, len(tags)); err != nil {
			return fmt.Errorf("tag article with %d: %w", t.ID, mapConstraint(err))
		}
		tags = append(tags, t)
	}
	a.Tags = tags
	seenAu := map[int64]bool{}
	n := 0
	for _, au := range a.Authors {
		if seenAu[au.ID] {
			continue
		}
		seenAu[au.ID] = true
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)"), a.ID, au.ID, n); err != nil {
			return fmt.Errorf("credit author %d: %w", au.ID, mapConstraint(err))
		}
		n++
	}
	return nil
}

// checkMedia refuses image blocks whose media does not exist: the block
// would silently vanish from the page.
func (s *Store) checkMedia(ctx context.Context, tx *sql.Tx, blocks []news.Block) error {
	for _, b := range blocks {
		if b.Type != news.BlockImage {
			continue
		}
		var one int
		err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM media WHERE id = ?"), b.MediaID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return &news.InvalidError{Fields: map[string]string{"body": "image_media"}}
		}
		if err != nil {
			return fmt.Errorf("check media %d: %w", b.MediaID, err)
		}
	}
	return nil
}

// ListFilter selects published articles for a listing.
type ListFilter struct {
	SectionID int64 // the section's articles and its subsections'
	TagID     int64
	AuthorID  int64
	Exclude   []int64
	From, To  time.Time // published_at in [From, To); zero: open
	Pinned    bool      // only the pinned ones
	Limit     int
	Offset    int
}

func (f ListFilter) where() (string, []any) {
	var sb strings.Builder
	sb.WriteString(" WHERE 1 = 1")
	args := articleScope{statuses: []news.Status{news.StatusPublished}, sectionID: f.SectionID, tagID: f.TagID,
		authorID: f.AuthorID, from: f.From, to: f.To}.appendSQL(&sb, nil)
	if f.Pinned {
		sb.WriteString(" AND a.pinned")
	}
	for _, id := range f.Exclude {
		sb.WriteString(" AND a.id <> ?")
		args = append(args, id)
	}
	return sb.String(), args
}

// articleScope narrows a query over "articles a" by state, section, tag,
// author and publication time; listings and search share it.
type articleScope struct {
	statuses                   []news.Status // empty: any state
	sectionID, tagID, authorID int64
	from, to                   time.Time // published_at in [from, to); zero: open
	live                       bool      // live blogs still running only
}

// runningLive keeps the live blogs whose coverage goes on: the article's
// flag stays on after the coverage ends.
const runningLive = " AND a.live AND NOT EXISTS (SELECT 1 FROM liveblogs l WHERE l.article_id = a.id AND l.ended_at IS NOT NULL)"

// appendSQL adds " AND …" conditions to sb and their arguments to args.
func (f articleScope) appendSQL(sb *strings.Builder, args []any) []any {
	if len(f.statuses) > 0 {
		sb.WriteString(" AND a.status IN (")
		for i, st := range f.statuses {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('?')
			args = append(args, string(st))
		}
		sb.WriteByte(')')
	}
	if f.sectionID > 0 {
		// A section's list holds its subsections' articles too.
		sb.WriteString(" AND (a.section_id = ? OR a.section_id IN (SELECT id FROM sections WHERE parent_id = ?))")
		args = append(args, f.sectionID, f.sectionID)
	}
	if f.tagID > 0 {
		sb.WriteString(" AND a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?)")
		args = append(args, f.tagID)
	}
	if f.authorID > 0 {
		sb.WriteString(" AND a.id IN (SELECT article_id FROM article_authors WHERE author_id = ?)")
		args = append(args, f.authorID)
	}
	if !f.from.IsZero() {
		sb.WriteString(" AND a.published_at >= ?")
		args = append(args, utc(f.from))
	}
	if !f.to.IsZero() {
		sb.WriteString(" AND a.published_at < ?")
		args = append(args, utc(f.to))
	}
	if f.live {
		sb.WriteString(runningLive)
	}
	return args
}

// ListPublished returns published articles, newest first, without bodies.
func (s *Store) ListPublished(ctx context.Context, f ListFilter) ([]news.Article, error) {
	where, args := f.where()
	if f.Limit <= 0 || f.Limit > 50000 {
		f.Limit = 20
	}
	args = append(args, f.Limit, f.Offset)
	return s.queryArticles(ctx, "SELECT "+cardCols+articleFrom+where+" ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?", args...)
}

// CountPublished counts what ListPublished would page through.
func (s *Store) CountPublished(ctx context.Context, f ListFilter) (int, error) {
	where, args := f.where()
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM articles a"+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

// Related returns published articles sharing the most tags with a, then
// the newest of its section.
func (s *Store) Related(ctx context.Context, a *news.Article, limit int) ([]news.Article, error) {
	var out []news.Article
	if len(a.Tags) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(a.Tags)), ", ")
		args := make([]any, 0, len(a.Tags)+4)
		for _, t := range a.Tags {
			args = append(args, t.ID)
		}
		args = append(args, a.ID, string(news.StatusPublished), limit)
		var err error
		out, err = s.queryArticles(ctx, "SELECT "+cardCols+articleFrom+
			` JOIN (SELECT article_id, COUNT(*) AS shared FROM article_tags WHERE tag_id IN (`+ph+`) GROUP BY article_id) r ON r.article_id = a.id
			WHERE a.id <> ? AND a.status = ? ORDER BY r.shared DESC, a.published_at DESC LIMIT ?`, args...)
		if err != nil {
			return nil, fmt.Errorf("related to %d: %w", a.ID, err)
		}
	}
	if len(out) < limit {
		exclude := []int64{a.ID}
		for _, r := range out {
			exclude = append(exclude, r.ID)
		}
		more, err := s.ListPublished(ctx, ListFilter{SectionID: a.SectionID, Exclude: exclude, Limit: limit - len(out)})
		if err != nil {
			return nil, fmt.Errorf("related to %d: %w", a.ID, err)
		}
		out = append(out, more...)
	}
	return out, nil
}

// ArticlesByIDs reads articles with their bodies, section and featured
// image (not tags or authors) in one query, keyed by id: what a page of
// search results needs.
func (s *Store) ArticlesByIDs(ctx context.Context, ids []int64) (map[int64]*news.Article, error) {
	out := make(map[int64]*news.Article, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+articleCols+articleFrom+" WHERE a.id IN ("+ph+")"), args...)
	list, err := collect(rows, err, "articles by ids", func(r rowScanner) (*news.Article, error) { return scanArticle(r, true) })
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		out[a.ID] = a
	}
	return out, nil
}

// ArticlesAfter reads up to limit articles of any state with an id above
// after, in id order, with their tags and authors: a rebuild's batch in
// three queries where GetArticle would take three per article.
func (s *Store) ArticlesAfter(ctx context.Context, after int64, limit int) ([]*news.Article, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+articleCols+articleFrom+" WHERE a.id > ? ORDER BY a.id LIMIT ?"), after, limit)
	list, err := collect(rows, err, "articles after", func(r rowScanner) (*news.Article, error) { return scanArticle(r, true) })
	if err != nil || len(list) == 0 {
		return list, err
	}
	byID := make(map[int64]*news.Article, len(list))
	for _, a := range list {
		byID[a.ID] = a
	}
	first, last := list[0].ID, list[len(list)-1].ID
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT at.article_id, t.id, t.slug, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
		WHERE at.article_id BETWEEN ? AND ? ORDER BY at.article_id, at.position`), first, last)
	if err := attach(rows, err, "tags of articles after", byID, scanTag, func(a *news.Article, t news.Tag) { a.Tags = append(a.Tags, t) }); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, s.q("SELECT aa.article_id, "+authorCols+` FROM article_authors aa JOIN authors au ON au.id = aa.author_id
		WHERE aa.article_id BETWEEN ? AND ? ORDER BY aa.article_id, aa.position`), first, last)
	if err := attach(rows, err, "authors of articles after", byID, scanAuthor, func(a *news.Article, au news.Author) { a.Authors = append(a.Authors, au) }); err != nil {
		return nil, err
	}
	return list, nil
}

// attach reads rows of (article id, what scan reads) and adds each value
// to its article in byID.
func attach[T any](rows *sql.Rows, err error, what string, byID map[int64]*news.Article, scan func(rowScanner) (T, error), add func(*news.Article, T)) error {
	type owned struct {
		article int64
		v       T
	}
	list, err := collect(rows, err, what, func(r rowScanner) (owned, error) {
		var o owned
		var err error
		o.v, err = scan(prefixed{r, &o.article})
		return o, err
	})
	if err != nil {
		return err
	}
	for _, o := range list {
		if a := byID[o.article]; a != nil {
			add(a, o.v)
		}
	}
	return nil
}

// prefixed scans a leading column into first before handing the rest of
// the row to a scanner written for rows without it.
type prefixed struct {
	r     rowScanner
	first any
}

func (p prefixed) Scan(dest ...any) error { return p.r.Scan(append([]any{p.first}, dest...)...) }

// AdminFilter selects articles of any state for the newsroom.
type AdminFilter struct {
	Status    news.Status // "" for all
	AuthorID  int64       // 0 for all
	CreatedBy int64       // 0 for all
	// PublishFrom and PublishTo keep articles planned for publication in
	// [PublishFrom, PublishTo) (both set or neither), soonest first.
	PublishFrom, PublishTo time.Time
	// PublishedSince keeps articles published at or after it.
	PublishedSince time.Time
	// Note keeps articles by their editor's note to the writer.
	Note NoteFilter
	// LockedBy keeps articles whose edit lock that user holds, seen within
	// LockTTL (see EditLocks).
	LockedBy int64
	LockTTL  time.Duration
	// Breaking and Live keep breaking news and open live blogs.
	Breaking, Live bool
	Order          AdminOrder
	Limit          int
	Offset         int
}

// NoteFilter selects articles by the note an editor sends with a request
// for changes.
type NoteFilter int

const (
	// AnyNote: with or without one.
	AnyNote NoteFilter = iota
	// WithNote: sent back with a note, changes asked for.
	WithNote
	// WithoutNote: no changes asked for.
	WithoutNote
)

// AdminOrder is the order of a newsroom list.
type AdminOrder int

const (
	// ByUpdated: most recently updated first (the default).
	ByUpdated AdminOrder = iota
	// ByEdited: most recently saved in any way first, staged updates too.
	ByEdited
	// ByPublished: most recently published first.
	ByPublished
)

// ListArticles lists articles for the newsroom.
func (s *Store) ListArticles(ctx context.Context, f AdminFilter) ([]news.Article, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	where, args := f.where()
	order := " ORDER BY a.updated_at DESC, a.id DESC"
	switch {
	case !f.PublishFrom.IsZero():
		order = " ORDER BY a.publish_at, a.id"
	case f.Order == ByEdited:
		order = " ORDER BY COALESCE(a.edited_at, a.updated_at) DESC, a.id DESC"
	case f.Order == ByPublished:
		order = " ORDER BY a.published_at DESC, a.id DESC"
	}
	args = append(args, f.Limit, f.Offset)
	return s.queryArticles(ctx, "SELECT "+cardCols+articleFrom+where+order+" LIMIT ? OFFSET ?", args...)
}

// CountListed counts the articles ListArticles would list without its
// limit: the desk shows how many each of its lists holds.
func (s *Store) CountListed(ctx context.Context, f AdminFilter) (int, error) {
	where, args := f.where()
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM articles a"+where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

// where is the filter's WHERE clause over "articles a", and its arguments.
func (f AdminFilter) where() (string, []any) {
	scope := articleScope{authorID: f.AuthorID}
	if f.Status != "" {
		scope.statuses = []news.Status{f.Status}
	}
	var where strings.Builder
	where.WriteString(" WHERE 1 = 1")
	args := scope.appendSQL(&where, nil)
	if f.CreatedBy > 0 {
		where.WriteString(" AND a.created_by = ?")
		args = append(args, f.CreatedBy)
	}
	if !f.PublishFrom.IsZero() {
		where.WriteString(" AND a.publish_at >= ? AND a.publish_at < ?")
		args = append(args, utc(f.PublishFrom), utc(f.PublishTo))
	}
	if !f.PublishedSince.IsZero() {
		where.WriteString(" AND a.published_at >= ?")
		args = append(args, utc(f.PublishedSince))
	}
	switch f.Note {
	case WithNote:
		where.WriteString(" AND a.review_note <> ''")
	case WithoutNote:
		where.WriteString(" AND a.review_note = ''")
	}
	if f.LockedBy > 0 {
		where.WriteString(" AND a.id IN (SELECT article_id FROM article_locks WHERE user_id = ? AND seen_at >= ?)")
		args = append(args, f.LockedBy, now().Add(-f.LockTTL))
	}
	if f.Breaking {
		where.WriteString(" AND a.breaking")
	}
	if f.Live {
		where.WriteString(runningLive)
	}
	return where.String(), args
}

func (s *Store) queryArticles(ctx context.Context, query string, args ...any) ([]news.Article, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	return collect(rows, err, "list articles", func(r rowScanner) (news.Article, error) {
		a, err := scanArticle(r, false)
		if err != nil {
			return news.Article{}, err
		}
		return *a, nil
	})
}

// LastPublishedAt is the newest publication time, for Last-Modified.
func (s *Store) LastPublishedAt(ctx context.Context) (time.Time, error) {
	var t sql.NullTime
	err := s.db.QueryRowContext(ctx, s.q("SELECT a.published_at FROM articles a WHERE a.status = ? ORDER BY a.published_at DESC LIMIT 1"), string(news.StatusPublished)).Scan(&t)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("last published: %w", err)
	}
	return t.Time, nil
}

func blocksOrEmpty(b []news.Block) []news.Block {
	if b == nil {
		return []news.Block{}
	}
	return b
}

func tagIDs(ts []news.Tag) []int64 {
	out := make([]int64, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func authorIDs(as []news.Author) []int64 {
	out := make([]int64, 0, len(as))
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// sameIDs compares two id lists as sets.
func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	seen := make(map[int64]bool, len(a))
	for _, x := range a {
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return true
}

func union(a, b []int64) []int64 {
	seen := make(map[int64]bool, len(a)+len(b))
	var out []int64
	for _, x := range append(append([]int64{}, a...), b...) {
		if x > 0 && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// mapConstraint turns unique and foreign-key violations into domain errors.
func mapConstraint(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint") || strings.Contains(msg, "SQLSTATE 23505"):
		return fmt.Errorf("%w: %v", news.ErrDuplicate, err)
	case strings.Contains(msg, "FOREIGN KEY constraint") || strings.Contains(msg, "SQLSTATE 23503"):
		return &news.InvalidError{Fields: map[string]string{"reference": "unknown_reference"}}
	}
	return err
}

// PublicationTimes lists when each published article was published and
// last updated, for the sitemap index (bucketed by month by the caller:
// date functions differ between the databases).
func (s *Store) PublicationTimes(ctx context.Context) (published, updated []time.Time, err error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT published_at, updated_at FROM articles WHERE status = ?"), string(news.StatusPublished))
	type times struct{ published, updated time.Time }
	list, err := collect(rows, err, "publication times", func(r rowScanner) (times, error) {
		var p sql.NullTime
		var u time.Time
		err := r.Scan(&p, &u)
		return times{p.Time, u}, err
	})
	if err != nil {
		return nil, nil, err
	}
	for _, t := range list {
		published, updated = append(published, t.published), append(updated, t.updated)
	}
	return published, updated, nil
}

// SlugsInUse lists the slugs of the sections, tags or authors (kind) that
// have at least one published article.
func (s *Store) SlugsInUse(ctx context.Context, kind string) ([]string, error) {
	var query string
	switch kind {
	case "section":
		query = "SELECT DISTINCT s.slug FROM sections s JOIN articles a ON a.section_id = s.id WHERE a.status = ? ORDER BY s.slug"
	case "tag":
		query = "SELECT DISTINCT t.slug FROM tags t JOIN article_tags x ON x.tag_id = t.id JOIN articles a ON a.id = x.article_id WHERE a.status = ? ORDER BY t.slug"
	case "author":
		query = "SELECT DISTINCT au.slug FROM authors au JOIN article_authors x ON x.author_id = au.id JOIN articles a ON a.id = x.article_id WHERE a.status = ? ORDER BY au.slug"
	default:
		return nil, fmt.Errorf("slugs in use: unknown kind %q", kind)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), string(news.StatusPublished))
	return collect(rows, err, kind+" slugs in use", scanOne[string])
}
