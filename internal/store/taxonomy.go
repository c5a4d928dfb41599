package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"khabar/internal/arabic"
	"khabar/internal/news"
)

// Author limits, in characters.
const (
	maxAuthorName = 120
	maxAuthorBio  = 1000
)

// SetSectionCommentsModes sets the comment mode of sections (id → mode;
// "" inherits the site's), in one transaction.
func (s *Store) SetSectionCommentsModes(ctx context.Context, modes map[int64]news.CommentsMode) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		changed := false
		for id, m := range modes {
			if !m.Valid() {
				return &news.InvalidError{Fields: map[string]string{"section_comments_" + strconv.FormatInt(id, 10): "unknown"}}
			}
			res, err := tx.ExecContext(ctx, s.q("UPDATE sections SET comments_mode = ? WHERE id = ? AND comments_mode <> ?"), string(m), id, string(m))
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			changed = changed || n > 0
		}
		if !changed {
			return nil
		}
		// Article pages carry the comment form or its absence.
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTaxonomyChanged})
	})
	if err != nil {
		return fmt.Errorf("set comment modes of sections: %w", err)
	}
	return nil
}

// lookable reports whether s can be looked up at all: PostgreSQL refuses
// invalid UTF-8 and NUL bytes with an error, where the answer is simply
// "not found".
func lookable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// PublicTag finds a tag readers may know of: one a published article
// carries. A tag only drafts use would reveal what is being written.
func (s *Store) PublicTag(ctx context.Context, slug string) (*news.Tag, error) {
	t, err := s.TagBySlug(ctx, slug)
	if err == nil {
		err = s.requirePublished(ctx, ListFilter{TagID: t.ID})
	}
	if err != nil {
		return nil, fmt.Errorf("public tag %q: %w", slug, err)
	}
	return t, nil
}

// PublicAuthor is PublicTag for bylines.
func (s *Store) PublicAuthor(ctx context.Context, slug string) (*news.Author, error) {
	a, err := s.AuthorBySlug(ctx, slug)
	if err == nil {
		err = s.requirePublished(ctx, ListFilter{AuthorID: a.ID})
	}
	if err != nil {
		return nil, fmt.Errorf("public author %q: %w", slug, err)
	}
	return a, nil
}

func (s *Store) requirePublished(ctx context.Context, f ListFilter) error {
	n, err := s.CountPublished(ctx, f)
	if err != nil {
		return err
	}
	if n == 0 {
		return news.ErrNotFound
	}
	return nil
}

// TagBySlug finds a tag.
func (s *Store) TagBySlug(ctx context.Context, slug string) (*news.Tag, error) {
	if !lookable(slug) {
		return nil, fmt.Errorf("tag %q: %w", slug, news.ErrNotFound)
	}
	var t news.Tag
	err := s.db.QueryRowContext(ctx, s.q("SELECT id, slug, name FROM tags WHERE slug = ?"), slug).Scan(&t.ID, &t.Slug, &t.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("tag %q: %w", slug, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("tag %q: %w", slug, err)
	}
	return &t, nil
}

// ensureTag returns the tag with the name's slug, creating it if needed. A
// name without letters or digits yields a zero Tag.
func (s *Store) ensureTag(ctx context.Context, tx *sql.Tx, name string) (news.Tag, error) {
	t := news.Tag{Name: news.CleanLine(name), Slug: news.Slugify(name)}
	if t.Slug == "" {
		return news.Tag{}, nil
	}
	if len([]rune(t.Name)) > 100 {
		return news.Tag{}, &news.InvalidError{Fields: map[string]string{"tags": "too_long"}}
	}
	// ON CONFLICT DO NOTHING, then read: safe when two editors create the
	// same tag at once.
	if _, err := tx.ExecContext(ctx, s.q("INSERT INTO tags (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING"), t.Slug, t.Name); err != nil {
		return t, fmt.Errorf("create tag %q: %w", t.Slug, err)
	}
	if err := tx.QueryRowContext(ctx, s.q("SELECT id, name FROM tags WHERE slug = ?"), t.Slug).Scan(&t.ID, &t.Name); err != nil {
		return t, fmt.Errorf("read tag %q: %w", t.Slug, err)
	}
	return t, nil
}

func scanAuthor(r rowScanner) (news.Author, error) {
	var (
		a    news.Author
		user sql.NullInt64
	)
	err := r.Scan(&a.ID, &a.Slug, &a.Name, &a.Bio, &user)
	a.UserID = user.Int64
	return a, err
}

// AuthorBySlug finds an author.
func (s *Store) AuthorBySlug(ctx context.Context, slug string) (*news.Author, error) {
	if !lookable(slug) {
		return nil, fmt.Errorf("author %q: %w", slug, news.ErrNotFound)
	}
	a, err := scanAuthor(s.db.QueryRowContext(ctx, s.q("SELECT id, slug, name, bio, user_id FROM authors WHERE slug = ?"), slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("author %q: %w", slug, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("author %q: %w", slug, err)
	}
	return &a, nil
}

// ListAuthors returns every author by name.
func (s *Store) ListAuthors(ctx context.Context) ([]news.Author, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, slug, name, bio, user_id FROM authors ORDER BY name, id")
	return collect(rows, err, "list authors", scanAuthor)
}

// CreateAuthor adds a byline.
func (s *Store) CreateAuthor(ctx context.Context, a *news.Author) error {
	a.Name = news.CleanLine(a.Name)
	a.Bio = news.CleanLine(a.Bio)
	if a.Slug = news.Slugify(a.Slug); a.Slug == "" {
		a.Slug = news.Slugify(a.Name)
	}
	if a.Name == "" || a.Slug == "" {
		return fmt.Errorf("create author: %w", &news.InvalidError{Fields: map[string]string{"name": "required"}})
	}
	if len([]rune(a.Name)) > maxAuthorName || len([]rune(a.Bio)) > maxAuthorBio {
		return fmt.Errorf("create author: %w", &news.InvalidError{Fields: map[string]string{"name": "too_long"}})
	}
	id, err := s.insert(ctx, s.db, "INSERT INTO authors (slug, name, bio, user_id) VALUES (?, ?, ?, ?)", a.Slug, a.Name, a.Bio, nullID(a.UserID))
	if err != nil {
		return fmt.Errorf("create author %q: %w", a.Slug, mapConstraint(err))
	}
	a.ID = id
	return nil
}

// SuggestTags returns up to limit tags whose slug starts with the typed
// prefix, the most used first, for the article form's tag field. Letters
// the search analyser folds (hamza forms of alef, alef maqsura, ta
// marbuta) match any of their forms, so «الاسد» suggests «الأسد».
func (s *Store) SuggestTags(ctx context.Context, prefix string, limit int) ([]news.Tag, error) {
	want := arabic.Normalize(news.Slugify(prefix))
	// One letter matches most tags and says nothing about which one.
	if utf8.RuneCountInString(want) < 2 || limit <= 0 {
		return nil, nil
	}
	// LIKE narrows by the letters that do not fold ('_' stands for those
	// that do); the folded comparison below decides, reading in order of
	// use until it has limit (a LIMIT in SQL would let more used tags the
	// LIKE lets through crowd out those that match).
	var pattern strings.Builder
	for _, r := range news.Slugify(prefix) {
		if string(r) != arabic.Normalize(string(r)) || strings.ContainsRune("اىيهةك", r) {
			pattern.WriteByte('_')
			continue
		}
		pattern.WriteString(likeEscaper.Replace(string(r)))
	}
	pattern.WriteByte('%')
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT t.id, t.slug, t.name FROM tags t LEFT JOIN article_tags at ON at.tag_id = t.id
		WHERE t.slug LIKE ? ESCAPE '\' GROUP BY t.id, t.slug, t.name ORDER BY COUNT(at.article_id) DESC, t.name`),
		pattern.String())
	if err != nil {
		return nil, fmt.Errorf("suggest tags for %q: %w", prefix, err)
	}
	defer rows.Close()
	var out []news.Tag
	// Not collect: this stops reading once it has limit, where collect
	// would read every tag the LIKE lets through (all of them for «ال»).
	for len(out) < limit && rows.Next() {
		t, err := scanTag(rows)
		if err != nil {
			return nil, fmt.Errorf("suggest tags for %q: %w", prefix, err)
		}
		if strings.HasPrefix(arabic.Normalize(t.Slug), want) {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}
