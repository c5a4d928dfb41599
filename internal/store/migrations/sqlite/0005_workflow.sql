-- The editorial workflow: planned publication and withdrawal times (read
-- by the jobs that carry them out), the editor's note on a request for
-- changes, the author of the first save, a staged update of a published
-- article (JSON of its editable fields; the live columns stay as readers
-- see them), and the time of the last save of any kind.
ALTER TABLE articles ADD COLUMN publish_at TIMESTAMP;
ALTER TABLE articles ADD COLUMN unpublish_at TIMESTAMP;
ALTER TABLE articles ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN created_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE articles ADD COLUMN staged TEXT;
ALTER TABLE articles ADD COLUMN edited_at TIMESTAMP;
CREATE INDEX articles_publish_at ON articles(publish_at) WHERE publish_at IS NOT NULL;
CREATE INDEX articles_unpublish_at ON articles(unpublish_at) WHERE unpublish_at IS NOT NULL;
CREATE INDEX articles_created_by ON articles(created_by, status);
