-- The key of the newsroom page that created an article: a first save sent
-- twice (a double click, or a retry after an answer lost on a weak
-- connection) finds the draft it made instead of making a second one.
ALTER TABLE articles ADD COLUMN draft_key TEXT;
CREATE UNIQUE INDEX articles_draft_key ON articles(draft_key) WHERE draft_key IS NOT NULL;
