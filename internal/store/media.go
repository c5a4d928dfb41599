package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"khabar/internal/news"
)

const mediaCols = "id, path, mime, width, height, alt, caption, credit, created_at, variants"

func scanMedia(r rowScanner) (news.Media, error) {
	var (
		m        news.Media
		variants string
	)
	if err := r.Scan(&m.ID, &m.Path, &m.MIME, &m.Width, &m.Height, &m.Alt, &m.Caption, &m.Credit, &m.CreatedAt, &variants); err != nil {
		return m, err
	}
	return m, decodeVariants(variants, &m)
}

func decodeVariants(s string, m *news.Media) error {
	if s == "" || s == "{}" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), &m.Variants); err != nil {
		return fmt.Errorf("media %d: bad variants: %w", m.ID, err)
	}
	return nil
}

// CreateMedia records a stored file.
func (s *Store) CreateMedia(ctx context.Context, m *news.Media) error {
	m.Alt, m.Caption, m.Credit = news.CleanLine(m.Alt), news.CleanLine(m.Caption), news.CleanLine(m.Credit)
	m.CreatedAt = now()
	variants := []byte("{}")
	if len(m.Variants) > 0 {
		var err error
		if variants, err = json.Marshal(m.Variants); err != nil {
			return fmt.Errorf("create media %s: %w", m.Path, err)
		}
	}
	id, err := s.insert(ctx, s.db, "INSERT INTO media (path, mime, width, height, alt, caption, credit, created_at, variants) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		m.Path, m.MIME, m.Width, m.Height, m.Alt, m.Caption, m.Credit, m.CreatedAt, string(variants))
	if err != nil {
		return fmt.Errorf("create media %s: %w", m.Path, mapConstraint(err))
	}
	m.ID = id
	return nil
}

// GetMedia reads one media record.
func (s *Store) GetMedia(ctx context.Context, id int64) (*news.Media, error) {
	m, err := scanMedia(s.db.QueryRowContext(ctx, s.q("SELECT "+mediaCols+" FROM media WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("media %d: %w", id, news.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("media %d: %w", id, err)
	}
	return &m, nil
}

// MediaByIDs reads several media records at once, keyed by id.
func (s *Store) MediaByIDs(ctx context.Context, ids []int64) (map[int64]news.Media, error) {
	out := make(map[int64]news.Media, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	ph := make([]byte, 0, 3*len(ids))
	for i, id := range ids {
		args[i] = id
		if i > 0 {
			ph = append(ph, ',')
		}
		ph = append(ph, '?')
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+mediaCols+" FROM media WHERE id IN ("+string(ph)+")"), args...)
	if err != nil {
		return nil, fmt.Errorf("media by ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, fmt.Errorf("media by ids: %w", err)
		}
		out[m.ID] = m
	}
	return out, rows.Err()
}

// ListMedia returns the newest media first.
func (s *Store) ListMedia(ctx context.Context, limit, offset int) ([]news.Media, error) {
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+mediaCols+" FROM media ORDER BY id DESC LIMIT ? OFFSET ?"), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list media: %w", err)
	}
	defer rows.Close()
	var out []news.Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, fmt.Errorf("list media: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
