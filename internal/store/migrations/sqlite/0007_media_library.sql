-- The media library. sha256 finds an upload made twice, so it becomes one
-- record (NULL for files that were not uploaded, such as the demo's
-- drawings: a unique index lets NULLs repeat). variants now holds every
-- file derived from the original, {"crops": {"16x9": {…}, …}, "sizes":
-- [{"path", "width", "height", "format", "bytes"}, …]}: the crops by
-- aspect ratio as before, and the sizes for srcset, made in the background;
-- sizes_state says how far that has come ('' when there is nothing to
-- make). search_text is alt, caption and credit through the Arabic
-- normaliser, written by the store; rows from before take the raw text.
UPDATE media SET variants = '{"crops":' || variants || '}' WHERE variants <> '{}';
ALTER TABLE media ADD COLUMN sha256 TEXT;
ALTER TABLE media ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN frames INTEGER NOT NULL DEFAULT 1;
ALTER TABLE media ADD COLUMN sizes_state TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE media SET search_text = alt || ' ' || caption || ' ' || credit;
CREATE UNIQUE INDEX media_sha256 ON media(sha256);
CREATE INDEX media_sizes_pending ON media(id) WHERE sizes_state = 'pending';
