-- Who posted each live-blog entry, so a writer corrects and deletes only
-- their own (issue 22). Entries from before, the demo's and imports' are
-- nobody's, which leaves them to the editors.
ALTER TABLE live_entries ADD COLUMN created_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
