-- Every explicit save of an article: who, when, and the edited fields as
-- they were saved (JSON), so any two can be compared and one restored.
CREATE TABLE article_revisions (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	version INTEGER NOT NULL,
	user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	user_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	snapshot TEXT NOT NULL
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, id);
