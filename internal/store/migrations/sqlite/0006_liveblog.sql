-- Live blogs («تغطية مباشرة»): an article with live = TRUE has a coverage
-- period and timestamped entries.
CREATE TABLE liveblogs (
	article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
	started_at TIMESTAMP NOT NULL,
	ended_at TIMESTAMP
);

CREATE TABLE live_entries (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	title TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '[]',
	key_event BOOLEAN NOT NULL DEFAULT FALSE,
	author_id INTEGER REFERENCES authors(id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
-- Pages of entries, newest first, and the key events above them.
CREATE INDEX live_entries_article ON live_entries(article_id, created_at, id);
CREATE INDEX live_entries_key ON live_entries(article_id, created_at, id) WHERE key_event;
