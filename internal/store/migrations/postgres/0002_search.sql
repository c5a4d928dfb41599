-- Full-text search over pre-analysed terms (internal/arabic). The GIN index
-- finds candidates (words, phrases, exclusions); BM25 is computed from the
-- postings and document lengths kept here, with the formula SQLite's FTS5
-- uses, so both backends rank alike.
CREATE TABLE search_docs (
	article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
	tsv TSVECTOR NOT NULL,
	len INTEGER NOT NULL
);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);

-- tf is the field-weighted term frequency (headline 3, lead 2, body 1, meta 2).
CREATE TABLE search_postings (
	term TEXT NOT NULL,
	article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	tf REAL NOT NULL,
	PRIMARY KEY (term, article_id)
);
CREATE INDEX search_postings_article ON search_postings(article_id);

ALTER TABLE articles ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX articles_external_id ON articles(external_id) WHERE external_id IS NOT NULL;
