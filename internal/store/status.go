package store

import (
	"context"
	"fmt"
)

// DatabaseSize is how many bytes the database takes on disk: SQLite's
// pages (the write-ahead log, checkpointed away, is left out), or the
// PostgreSQL database's own size.
func (s *Store) DatabaseSize(ctx context.Context) (int64, error) {
	q := "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
	if s.dialect == Postgres {
		q = "SELECT pg_database_size(current_database())"
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}

// MediaTotals counts the library's uploads and the bytes of their
// originals (the sizes made from them are not counted).
func (s *Store) MediaTotals(ctx context.Context) (files, bytes int64, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM media").Scan(&files, &bytes)
	if err != nil {
		return 0, 0, fmt.Errorf("media totals: %w", err)
	}
	return files, bytes, nil
}
