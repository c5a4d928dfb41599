-- The index's vocabulary with each term's document count (fts5vocab):
-- «هل تقصد» suggestions are picked from the terms articles hold.
CREATE VIRTUAL TABLE search_terms USING fts5vocab(search_fts, 'row');
