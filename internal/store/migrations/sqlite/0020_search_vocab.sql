-- Where each term stands in each article (fts5vocab over the index):
-- partial matches count how many of a query's terms an article holds.
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'instance');
