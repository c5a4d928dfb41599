package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"khabar/internal/news"
)

// ImportKey is what one imported thing was in the system it came from
// and what it became here.
type ImportKey struct {
	Source string // the exported site, e.g. its address
	Kind   string // "post", "page", "attachment", "comment", "category", "tag", "author"
	Key    string // its id there (a WordPress post id, an author's login…)
	GUID   string
	Target int64  // its id here
	Hash   string // of what was imported, to tell a changed item from the same one
}

// ImportKeyOf finds what source's kind/key became, or news.ErrNotFound.
func (s *Store) ImportKeyOf(ctx context.Context, source, kind, key string) (*ImportKey, error) {
	k := ImportKey{Source: source, Kind: kind, Key: key}
	err := s.db.QueryRowContext(ctx, s.q("SELECT guid, target_id, hash FROM import_keys WHERE source = ? AND kind = ? AND key = ?"),
		source, kind, key).Scan(&k.GUID, &k.Target, &k.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, news.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("import key %s %s: %w", kind, key, err)
	}
	return &k, nil
}

// SaveImportKey records or updates what an imported thing became.
func (s *Store) SaveImportKey(ctx context.Context, k ImportKey) error {
	return s.saveImportKey(ctx, s.db, k)
}

func (s *Store) saveImportKey(ctx context.Context, db querier, k ImportKey) error {
	_, err := db.ExecContext(ctx, s.q(`INSERT INTO import_keys (source, kind, key, guid, target_id, hash) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, kind, key) DO UPDATE SET guid = excluded.guid, target_id = excluded.target_id, hash = excluded.hash`),
		k.Source, k.Kind, k.Key, k.GUID, k.Target, k.Hash)
	if err != nil {
		return fmt.Errorf("save import key %s %s: %w", k.Kind, k.Key, err)
	}
	return nil
}
