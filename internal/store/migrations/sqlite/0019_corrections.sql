-- Corrections and editor's notes on published articles: dated, signed,
-- never edited (a wrong one is deleted and the audit log keeps its text).
CREATE TABLE corrections (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('correction', 'note')),
	text TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	user_name TEXT NOT NULL DEFAULT ''
);
-- An article's boxes, oldest first; /corrections, newest first.
CREATE INDEX corrections_article ON corrections(article_id, created_at, id);
CREATE INDEX corrections_recent ON corrections(created_at, id);
