-- Readers' searches ask FTS5 for rowid > 0: an unpublished article's row
-- is now its id negated (store.ftsRowid). Forgetting the search consumer's
-- position makes the next start rebuild the index in that shape
-- (search.Service.EnsureIndex). PostgreSQL's index is unchanged, and is
-- not rebuilt.
DELETE FROM event_cursors WHERE consumer = 'search.4';
