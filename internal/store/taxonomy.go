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

// authorCols are an author's columns, for a query with the authors table
// as "au".
const authorCols = "au.id, au.slug, au.name, au.bio, au.user_id, au.name_latin, au.job_title, au.photo_id, au.email, au.x, au.facebook, au.telegram, au.website"

func scanAuthor(r rowScanner) (news.Author, error) {
	var (
		a           news.Author
		user, photo sql.NullInt64
	)
	err := r.Scan(&a.ID, &a.Slug, &a.Name, &a.Bio, &user, &a.NameLatin, &a.JobTitle, &photo, &a.Email, &a.X, &a.Facebook, &a.Telegram, &a.Website)
	a.UserID, a.PhotoID = user.Int64, photo.Int64
	return a, err
}

// AuthorBySlug finds an author.
func (s *Store) AuthorBySlug(ctx context.Context, slug string) (*news.Author, error) {
	if !lookable(slug) {
		return nil, fmt.Errorf("author %q: %w", slug, news.ErrNotFound)
	}
	return s.author(ctx, "au.slug = ?", slug)
}

// AuthorByID finds an author by id.
func (s *Store) AuthorByID(ctx context.Context, id int64) (*news.Author, error) {
	return s.author(ctx, "au.id = ?", id)
}

// AuthorOfUser finds the byline linked to a newsroom account (the first,
// should there be several).
func (s *Store) AuthorOfUser(ctx context.Context, userID int64) (*news.Author, error) {
	return s.author(ctx, "au.user_id = ? ORDER BY au.id LIMIT 1", userID)
}

func (s *Store) author(ctx context.Context, where string, arg any) (*news.Author, error) {
	a, err := scanAuthor(s.db.QueryRowContext(ctx, s.q("SELECT "+authorCols+" FROM authors au WHERE "+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("author %v: %w", arg, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("author %v: %w", arg, err)
	}
	return &a, nil
}

// ListAuthors returns every author by name.
func (s *Store) ListAuthors(ctx context.Context) ([]news.Author, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+authorCols+" FROM authors au ORDER BY au.name, au.id")
	return collect(rows, err, "list authors", scanAuthor)
}

// CreateAuthor adds a byline (imports and the demo).
func (s *Store) CreateAuthor(ctx context.Context, a *news.Author) error {
	return s.saveAuthor(ctx, a, news.Actor{})
}

// AddAuthor adds a byline made in the newsroom, to the audit log.
func (s *Store) AddAuthor(ctx context.Context, a *news.Author, actor news.Actor) error {
	a.ID = 0
	return s.saveAuthor(ctx, a, actor)
}

// UpdateAuthor saves an edited profile; its slug, in every link to its
// page, stays.
func (s *Store) UpdateAuthor(ctx context.Context, a *news.Author, actor news.Actor) error {
	if a.ID <= 0 {
		return fmt.Errorf("update author: %w", news.ErrNotFound)
	}
	return s.saveAuthor(ctx, a, actor)
}

// saveAuthor inserts a (ID 0) or updates it, checking its photo and
// account exist; every change is an event, as author pages and bylines
// show the profile.
func (s *Store) saveAuthor(ctx context.Context, a *news.Author, actor news.Actor) error {
	if a.ID > 0 {
		old, err := s.AuthorByID(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("update author: %w", err)
		}
		a.Slug = old.Slug
	}
	if err := a.Normalize(); err != nil {
		return fmt.Errorf("save author: %w", err)
	}
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		args := []any{a.Slug, a.Name, a.Bio, nullID(a.UserID), a.NameLatin, a.JobTitle, nullID(a.PhotoID), a.Email, a.X, a.Facebook, a.Telegram, a.Website}
		action := "author.update"
		if a.ID == 0 {
			id, err := s.insert(ctx, tx, `INSERT INTO authors (slug, name, bio, user_id, name_latin, job_title, photo_id, email, x, facebook, telegram, website)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
			if err != nil {
				return authorConstraint(err)
			}
			a.ID, action = id, "author.create"
		} else if _, err := tx.ExecContext(ctx, s.q(`UPDATE authors SET slug = ?, name = ?, bio = ?, user_id = ?, name_latin = ?, job_title = ?,
				photo_id = ?, email = ?, x = ?, facebook = ?, telegram = ?, website = ? WHERE id = ?`), append(args, a.ID)...); err != nil {
			return authorConstraint(err)
		}
		if actor.Name != "" || actor.UserID != 0 {
			if err := s.writeAudit(ctx, tx, actor, action, "author "+strconv.FormatInt(a.ID, 10), a.Name); err != nil {
				return err
			}
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTaxonomyChanged, Authors: []int64{a.ID}})
	})
	if err != nil {
		return fmt.Errorf("save author %q: %w", a.Slug, err)
	}
	return nil
}

// authorConstraint names a taken slug for the form, still a duplicate to
// the importer (which retries with another), or a photo or account that
// does not exist.
func authorConstraint(err error) error {
	err = mapConstraint(err)
	if errors.Is(err, news.ErrDuplicate) {
		return fmt.Errorf("%w: %w", news.ErrDuplicate, &news.InvalidError{Fields: map[string]string{"slug": "slug_taken"}})
	}
	return err
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

// AddTag makes the tag of name, or finds it when a tag has its slug
// already (created reports which), as an article's tag list would.
func (s *Store) AddTag(ctx context.Context, name string, actor news.Actor) (t news.Tag, created bool, err error) {
	if news.Slugify(name) == "" {
		return t, false, &news.InvalidError{Fields: map[string]string{"name": "required"}}
	}
	err = s.inEventTx(ctx, func(tx *sql.Tx) error {
		var before int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM tags WHERE slug = ?"), news.Slugify(name)).Scan(&before); err != nil {
			return err
		}
		if t, err = s.ensureTag(ctx, tx, name); err != nil {
			return err
		}
		if created = before == 0; !created {
			return nil
		}
		if err := s.writeAudit(ctx, tx, actor, "tag.create", "tag "+strconv.FormatInt(t.ID, 10), t.Name); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTaxonomyChanged, Tags: []int64{t.ID}})
	})
	if err != nil {
		return t, false, fmt.Errorf("add tag %q: %w", name, err)
	}
	return t, created, nil
}

// RenameTag gives tag id a new name; its slug, in every link to its
// page, stays.
func (s *Store) RenameTag(ctx context.Context, id int64, name string, actor news.Actor) (*news.Tag, error) {
	name = news.CleanLine(name)
	switch {
	case name == "":
		return nil, &news.InvalidError{Fields: map[string]string{"name": "required"}}
	case len([]rune(name)) > 100:
		return nil, &news.InvalidError{Fields: map[string]string{"name": "too_long"}}
	}
	t := news.Tag{ID: id, Name: name}
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q("UPDATE tags SET name = ? WHERE id = ? RETURNING slug"), name, id).Scan(&t.Slug); errors.Is(err, sql.ErrNoRows) {
			return news.ErrNotFound
		} else if err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, actor, "tag.rename", "tag "+strconv.FormatInt(id, 10), name); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTaxonomyChanged, Listing: true, Tags: []int64{id}})
	})
	if err != nil {
		return nil, fmt.Errorf("rename tag %d: %w", id, err)
	}
	return &t, nil
}
