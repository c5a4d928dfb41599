package store

import "context"

// SearchPruned and SearchEvery are the two ways a reader's partial match
// is answered on SQLite, for tests to hold one to the other.
func (s *Store) SearchPruned(ctx context.Context, q SearchQuery) ([]SearchHit, int, bool, error) {
	return s.searchSQLitePruned(ctx, q)
}

func (s *Store) SearchEvery(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	return s.searchSQLiteEvery(ctx, q)
}
