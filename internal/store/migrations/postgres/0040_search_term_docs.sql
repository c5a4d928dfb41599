-- Each term's document count, kept as articles are indexed: BM25's idf
-- and «هل تقصد» read it. Counting a common word's postings for every
-- query (30,000 rows at 100,000 articles) took as long as the search.
-- SQLite reads the same from FTS5's vocabulary (search_terms).
CREATE TABLE search_term_docs (
    term TEXT PRIMARY KEY,
    docs INTEGER NOT NULL
);
INSERT INTO search_term_docs (term, docs) SELECT term, COUNT(*) FROM search_postings GROUP BY term;
