package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"khabar/internal/news"
)

const sectionCols = "id, slug, name, position, comments_mode, description, COALESCE(parent_id, 0), hidden, archived"

func scanSection(r rowScanner) (news.Section, error) {
	var (
		sec  news.Section
		mode string
	)
	err := r.Scan(&sec.ID, &sec.Slug, &sec.Name, &sec.Position, &mode, &sec.Description, &sec.ParentID, &sec.Hidden, &sec.Archived)
	sec.CommentsMode = news.CommentsMode(mode)
	return sec, err
}

// ListSections returns every section in display order.
func (s *Store) ListSections(ctx context.Context) ([]news.Section, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+sectionCols+" FROM sections ORDER BY position, id")
	return collect(rows, err, "list sections", scanSection)
}

// SectionBySlug finds a section by its slug now.
func (s *Store) SectionBySlug(ctx context.Context, slug string) (*news.Section, error) {
	if !lookable(slug) {
		return nil, fmt.Errorf("section %q: %w", slug, news.ErrNotFound)
	}
	return s.section(ctx, s.db, "slug = ?", slug)
}

// SectionByID finds a section by id.
func (s *Store) SectionByID(ctx context.Context, id int64) (*news.Section, error) {
	return s.section(ctx, s.db, "id = ?", id)
}

// SectionByOldSlug finds the section that had slug before a re-slug, so
// its old links can be sent on.
func (s *Store) SectionByOldSlug(ctx context.Context, slug string) (*news.Section, error) {
	if !lookable(slug) {
		return nil, fmt.Errorf("section %q: %w", slug, news.ErrNotFound)
	}
	return s.section(ctx, s.db, "id = (SELECT section_id FROM section_slugs WHERE slug = ?)", slug)
}

func (s *Store) section(ctx context.Context, db querier, where string, arg any) (*news.Section, error) {
	sec, err := scanSection(db.QueryRowContext(ctx, s.q("SELECT "+sectionCols+" FROM sections WHERE "+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("section %v: %w", arg, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("section %v: %w", arg, err)
	}
	return &sec, nil
}

// CreateSection adds a section; the slug defaults to the name's.
func (s *Store) CreateSection(ctx context.Context, sec *news.Section) error {
	return s.createSection(ctx, sec, news.Actor{})
}

// AddSection is CreateSection by someone, placed last in the navigation
// and written to the audit log.
func (s *Store) AddSection(ctx context.Context, sec *news.Section, actor news.Actor) error {
	sec.Position = -1
	return s.createSection(ctx, sec, actor)
}

func (s *Store) createSection(ctx context.Context, sec *news.Section, actor news.Actor) error {
	if err := sec.Normalize(); err != nil {
		return fmt.Errorf("create section: %w", err)
	}
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkParent(ctx, tx, sec); err != nil {
			return err
		}
		if sec.Position < 0 {
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), -1) + 1 FROM sections").Scan(&sec.Position); err != nil {
				return err
			}
		}
		// A slug given up by another section now names this one.
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM section_slugs WHERE slug = ?"), sec.Slug); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, "INSERT INTO sections (slug, name, position, description, parent_id, hidden, archived) VALUES (?, ?, ?, ?, ?, ?, ?)",
			sec.Slug, sec.Name, sec.Position, sec.Description, nullID(sec.ParentID), sec.Hidden, sec.Archived)
		if err != nil {
			return sectionConstraint(err)
		}
		sec.ID = id
		if actor.Name != "" || actor.UserID != 0 {
			if err := s.writeAudit(ctx, tx, actor, "section.create", "section "+strconv.FormatInt(id, 10), sec.Name); err != nil {
				return err
			}
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTaxonomyChanged, Sections: []int64{id}})
	})
	if err != nil {
		return fmt.Errorf("create section %q: %w", sec.Slug, err)
	}
	return nil
}

// UpdateSection saves an edited section: its name, slug (the old one keeps
// answering, with a redirect), description, parent and flags.
func (s *Store) UpdateSection(ctx context.Context, sec *news.Section, actor news.Actor) error {
	if err := sec.Normalize(); err != nil {
		return fmt.Errorf("update section %d: %w", sec.ID, err)
	}
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		old, err := s.section(ctx, tx, "id = ?", sec.ID)
		if err != nil {
			return err
		}
		if err := s.checkParent(ctx, tx, sec); err != nil {
			return err
		}
		if old.Slug != sec.Slug {
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM section_slugs WHERE slug = ?"), sec.Slug); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO section_slugs (slug, section_id) VALUES (?, ?)"), old.Slug, sec.ID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q("UPDATE sections SET slug = ?, name = ?, description = ?, parent_id = ?, hidden = ?, archived = ? WHERE id = ?"),
			sec.Slug, sec.Name, sec.Description, nullID(sec.ParentID), sec.Hidden, sec.Archived, sec.ID)
		if err != nil {
			return sectionConstraint(err)
		}
		sec.Position, sec.CommentsMode = old.Position, old.CommentsMode
		if err := s.writeAudit(ctx, tx, actor, "section.update", "section "+strconv.FormatInt(sec.ID, 10), sectionChange(old, sec)); err != nil {
			return err
		}
		// Every page carries the navigation, and the section's articles
		// its name.
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTaxonomyChanged, Listing: true, Sections: []int64{sec.ID}})
	})
	if err != nil {
		return fmt.Errorf("update section %d: %w", sec.ID, err)
	}
	return nil
}

// sectionChange says what an update changed, for the audit log.
func sectionChange(old, sec *news.Section) string {
	var parts []string
	if old.Name != sec.Name {
		parts = append(parts, old.Name+" → "+sec.Name)
	}
	if old.Slug != sec.Slug {
		parts = append(parts, "/"+old.Slug+" → /"+sec.Slug)
	}
	if old.Hidden != sec.Hidden || old.Archived != sec.Archived || old.ParentID != sec.ParentID || old.Description != sec.Description {
		parts = append(parts, "…")
	}
	return strings.Join(parts, "; ")
}

// checkParent keeps nesting to one level: the parent exists and is top
// level, and a section with sections under it stays top level.
func (s *Store) checkParent(ctx context.Context, tx *sql.Tx, sec *news.Section) error {
	if sec.ParentID == 0 {
		return nil
	}
	parent, err := s.section(ctx, tx, "id = ?", sec.ParentID)
	if errors.Is(err, news.ErrNotFound) || (err == nil && (parent.ParentID != 0 || parent.ID == sec.ID)) {
		return &news.InvalidError{Fields: map[string]string{"parent": "bad_parent"}}
	}
	if err != nil {
		return err
	}
	if sec.ID != 0 {
		var children int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM sections WHERE parent_id = ?"), sec.ID).Scan(&children); err != nil {
			return err
		}
		if children > 0 {
			return &news.InvalidError{Fields: map[string]string{"parent": "has_subsections"}}
		}
	}
	return nil
}

// sectionConstraint names a taken slug for the form.
func sectionConstraint(err error) error {
	if err = mapConstraint(err); errors.Is(err, news.ErrDuplicate) {
		return &news.InvalidError{Fields: map[string]string{"slug": "slug_taken"}}
	}
	return err
}

// MoveSection moves a section one place earlier (up) or later in the
// navigation's order.
func (s *Store) MoveSection(ctx context.Context, id int64, up bool, actor news.Actor) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		if err := s.swapPosition(ctx, tx, "sections", id, up); err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, actor, "section.move", "section "+strconv.FormatInt(id, 10), map[bool]string{true: "up", false: "down"}[up]); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTaxonomyChanged})
	})
	if err != nil {
		return fmt.Errorf("move section %d: %w", id, err)
	}
	return nil
}

// DeleteSection deletes a section without articles or sections under it;
// one with articles is refused with their number (news.InUseError).
func (s *Store) DeleteSection(ctx context.Context, id int64, actor news.Actor) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		sec, err := s.section(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		var articles, children int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM articles WHERE section_id = ?"), id).Scan(&articles); err != nil {
			return err
		}
		if articles > 0 {
			return &news.InUseError{Articles: articles}
		}
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM sections WHERE parent_id = ?"), id).Scan(&children); err != nil {
			return err
		}
		if children > 0 {
			return &news.InvalidError{Fields: map[string]string{"section": "has_subsections"}}
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM section_slugs WHERE section_id = ?"), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM sections WHERE id = ?"), id); err != nil {
			return mapConstraint(err)
		}
		if err := s.writeAudit(ctx, tx, actor, "section.delete", "section "+strconv.FormatInt(id, 10), sec.Name); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventTaxonomyChanged, Listing: true, Sections: []int64{id}})
	})
	if err != nil {
		return fmt.Errorf("delete section %d: %w", id, err)
	}
	return nil
}

// checkSectionOpen refuses an archived section for an article that is
// new to it.
func (s *Store) checkSectionOpen(ctx context.Context, tx *sql.Tx, id int64) error {
	var archived bool
	err := tx.QueryRowContext(ctx, s.q("SELECT archived FROM sections WHERE id = ?"), id).Scan(&archived)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &news.InvalidError{Fields: map[string]string{"reference": "unknown_reference"}}
	case err != nil:
		return fmt.Errorf("section %d: %w", id, err)
	case archived:
		return &news.InvalidError{Fields: map[string]string{"section": "section_archived"}}
	}
	return nil
}

// swapPosition moves row id of table (sections or pages, ordered by
// position) one place earlier (up) or later, numbering the rows afresh.
func (s *Store) swapPosition(ctx context.Context, tx *sql.Tx, table string, id int64, up bool) error {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM "+table+" ORDER BY position, id")
	ids, err := collect(rows, err, "order of "+table, scanOne[int64])
	if err != nil {
		return err
	}
	i := slices.Index(ids, id)
	if i < 0 {
		return news.ErrNotFound
	}
	j := i + 1
	if up {
		j = i - 1
	}
	if j < 0 || j >= len(ids) {
		return nil // already first or last
	}
	ids[i], ids[j] = ids[j], ids[i]
	for pos, rid := range ids {
		if _, err := tx.ExecContext(ctx, s.q("UPDATE "+table+" SET position = ? WHERE id = ?"), pos, rid); err != nil {
			return err
		}
	}
	return nil
}
