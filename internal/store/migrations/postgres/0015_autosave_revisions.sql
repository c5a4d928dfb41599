-- An autosave keeps one hidden snapshot per person and article, replaced
-- by their next autosave: the history shows only explicit saves, but a
-- refused stale save can still be compared with exactly what it started
-- from, not with an older save that would pass the person's own autosaved
-- changes off as someone else's.
ALTER TABLE article_revisions ADD COLUMN autosave BOOLEAN NOT NULL DEFAULT FALSE;
