-- The search tables are derived data, kept by the search consumer of the
-- outbox, which unindexes a deleted article itself. Their foreign keys
-- checked every posting on insert, one trigger per row: most of the time
-- of a rebuild (a batch of 500 articles writes about 100,000 postings).
-- Results are joined to articles, so a deleted article never shows while
-- the consumer catches up.
ALTER TABLE search_postings DROP CONSTRAINT IF EXISTS search_postings_article_id_fkey;
ALTER TABLE search_docs DROP CONSTRAINT IF EXISTS search_docs_article_id_fkey;
