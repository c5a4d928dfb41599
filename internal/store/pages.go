package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"khabar/internal/news"
)

const pageCols = "id, slug, title, description, body, purpose, footer, position, updated_at, created_at"

func scanPage(r rowScanner) (news.Page, error) {
	var (
		p             news.Page
		body, purpose string
	)
	if err := r.Scan(&p.ID, &p.Slug, &p.Title, &p.Description, &body, &purpose, &p.Footer, &p.Position, &p.UpdatedAt, &p.CreatedAt); err != nil {
		return p, err
	}
	p.Purpose = news.PagePurpose(purpose)
	if err := json.Unmarshal([]byte(body), &p.Body); err != nil {
		return p, fmt.Errorf("page %d: bad body: %w", p.ID, err)
	}
	return p, nil
}

// ListPages returns every static page in footer order (bodies too: an
// outlet has a handful).
func (s *Store) ListPages(ctx context.Context) ([]news.Page, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+pageCols+" FROM pages ORDER BY position, id")
	return collect(rows, err, "list pages", scanPage)
}

// PageBySlug finds a static page by its slug.
func (s *Store) PageBySlug(ctx context.Context, slug string) (*news.Page, error) {
	if !lookable(slug) {
		return nil, fmt.Errorf("page %q: %w", slug, news.ErrNotFound)
	}
	return s.page(ctx, s.db, "slug = ?", slug)
}

// PageByID finds a static page by id.
func (s *Store) PageByID(ctx context.Context, id int64) (*news.Page, error) {
	return s.page(ctx, s.db, "id = ?", id)
}

func (s *Store) page(ctx context.Context, db querier, where string, arg any) (*news.Page, error) {
	p, err := scanPage(db.QueryRowContext(ctx, s.q("SELECT "+pageCols+" FROM pages WHERE "+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("page %v: %w", arg, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("page %v: %w", arg, err)
	}
	return &p, nil
}

// AddPage writes a new static page, last in the footer's order.
func (s *Store) AddPage(ctx context.Context, p *news.Page, actor news.Actor) error {
	if err := p.Normalize(); err != nil {
		return fmt.Errorf("add page: %w", err)
	}
	body, err := json.Marshal(blocksOrEmpty(p.Body))
	if err != nil {
		return fmt.Errorf("add page: %w", err)
	}
	err = s.inEventTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkMedia(ctx, tx, p.Body); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), -1) + 1 FROM pages").Scan(&p.Position); err != nil {
			return err
		}
		p.CreatedAt = now()
		p.UpdatedAt = p.CreatedAt
		id, err := s.insert(ctx, tx, "INSERT INTO pages (slug, title, description, body, purpose, footer, position, updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			p.Slug, p.Title, p.Description, string(body), string(p.Purpose), p.Footer, p.Position, p.UpdatedAt, p.CreatedAt)
		if err != nil {
			return pageConstraint(err)
		}
		p.ID = id
		if err := s.writeAudit(ctx, tx, actor, "page.create", pageTarget(id), p.Title); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventPageChanged})
	})
	if err != nil {
		return fmt.Errorf("add page %q: %w", p.Slug, err)
	}
	return nil
}

// UpdatePage saves an edited static page.
func (s *Store) UpdatePage(ctx context.Context, p *news.Page, actor news.Actor) error {
	if err := p.Normalize(); err != nil {
		return fmt.Errorf("update page %d: %w", p.ID, err)
	}
	body, err := json.Marshal(blocksOrEmpty(p.Body))
	if err != nil {
		return fmt.Errorf("update page %d: %w", p.ID, err)
	}
	err = s.inEventTx(ctx, func(tx *sql.Tx) error {
		old, err := s.page(ctx, tx, "id = ?", p.ID)
		if err != nil {
			return err
		}
		if err := s.checkMedia(ctx, tx, p.Body); err != nil {
			return err
		}
		p.Position, p.CreatedAt, p.UpdatedAt = old.Position, old.CreatedAt, now()
		_, err = tx.ExecContext(ctx, s.q("UPDATE pages SET slug = ?, title = ?, description = ?, body = ?, purpose = ?, footer = ?, updated_at = ? WHERE id = ?"),
			p.Slug, p.Title, p.Description, string(body), string(p.Purpose), p.Footer, p.UpdatedAt, p.ID)
		if err != nil {
			return pageConstraint(err)
		}
		detail := p.Title
		if old.Title != p.Title {
			detail = old.Title + " → " + p.Title
		}
		if err := s.writeAudit(ctx, tx, actor, "page.update", pageTarget(p.ID), detail); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventPageChanged})
	})
	if err != nil {
		return fmt.Errorf("update page %d: %w", p.ID, err)
	}
	return nil
}

// MovePage moves a page one place earlier (up) or later in the footer.
func (s *Store) MovePage(ctx context.Context, id int64, up bool, actor news.Actor) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		if err := s.swapPosition(ctx, tx, "pages", id, up); err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, actor, "page.move", pageTarget(id), map[bool]string{true: "up", false: "down"}[up]); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventPageChanged})
	})
	if err != nil {
		return fmt.Errorf("move page %d: %w", id, err)
	}
	return nil
}

// DeletePage deletes a static page; its address answers 404 from then on.
func (s *Store) DeletePage(ctx context.Context, id int64, actor news.Actor) error {
	err := s.inEventTx(ctx, func(tx *sql.Tx) error {
		p, err := s.page(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM pages WHERE id = ?"), id); err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, actor, "page.delete", pageTarget(id), p.Title); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, news.Event{Kind: news.EventPageChanged})
	})
	if err != nil {
		return fmt.Errorf("delete page %d: %w", id, err)
	}
	return nil
}

func pageTarget(id int64) string { return "page " + strconv.FormatInt(id, 10) }

// pageConstraint names what a taken value collided with for the form: the
// slug, or the purpose another page already has.
func pageConstraint(err error) error {
	mapped := mapConstraint(err)
	switch {
	case !errors.Is(mapped, news.ErrDuplicate):
		return mapped
	case strings.Contains(err.Error(), "purpose"):
		return &news.InvalidError{Fields: map[string]string{"purpose": "purpose_taken"}}
	}
	return &news.InvalidError{Fields: map[string]string{"slug": "slug_taken"}}
}
