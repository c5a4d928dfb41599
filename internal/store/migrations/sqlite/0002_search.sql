-- Full-text search over pre-analysed terms (internal/arabic): one row per
-- article, rowid = article id. Contentless: snippets come from the
-- articles table, so the index stores only what matching needs.
CREATE VIRTUAL TABLE search_fts USING fts5(
	headline, lead, body, meta,
	tokenize = 'unicode61 remove_diacritics 0',
	content = '', contentless_delete = 1
);

ALTER TABLE articles ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX articles_external_id ON articles(external_id) WHERE external_id IS NOT NULL;
