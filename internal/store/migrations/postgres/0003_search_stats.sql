-- BM25 needs the number of indexed documents and their average length on
-- every query; counting them each time scanned the whole index.
CREATE TABLE search_stats (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	docs BIGINT NOT NULL,
	total_len BIGINT NOT NULL
);
INSERT INTO search_stats (id, docs, total_len)
SELECT 1, COUNT(*), COALESCE(SUM(len), 0) FROM search_docs;

-- Scoring reads tf and the document length of every posting of a query
-- term; with both in the index (and len copied into the posting) that is an
-- index-only range scan, with no visit to the table or to search_docs.
ALTER TABLE search_postings ADD COLUMN len INTEGER NOT NULL DEFAULT 0;
UPDATE search_postings p SET len = d.len FROM search_docs d WHERE d.article_id = p.article_id;
ALTER TABLE search_postings DROP CONSTRAINT search_postings_pkey;
ALTER TABLE search_postings ADD PRIMARY KEY (term, article_id) INCLUDE (tf, len);
