-- Search as you type: every prefix (2 to 15 letters, folded as
-- internal/arabic folds) of every word of a published article's headline,
-- with and without its definite article. Whole prefixes rather than words
-- matched by range: a word range for «ال» holds most of the archive and
-- would have to be sorted by date on every keystroke, where an equality on
-- the prefix reads the newest rows of the index in order and stops after a
-- few; the key holds the time, so one B-tree serves that and the check of
-- a second word on the same article (prefix, its time, its id). published
-- is Unix seconds. Derived data, filled by the search consumer; the
-- consumer's new name (search.4) rebuilds it for existing articles on the
-- next start.
CREATE TABLE typeahead (
	prefix TEXT NOT NULL,
	published INTEGER NOT NULL,
	article_id INTEGER NOT NULL,
	PRIMARY KEY (prefix, published, article_id)
) WITHOUT ROWID;
-- Unindexing an article finds its rows by id.
CREATE INDEX typeahead_article ON typeahead(article_id);
