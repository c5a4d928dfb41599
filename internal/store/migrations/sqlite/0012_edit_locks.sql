-- Who has an article open in the editor, and who holds its edit lock.
-- Both live only while the editor's page keeps signalling (seen_at); a
-- page closed without a word gives its place up after a minute.
CREATE TABLE article_editors (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	user_name TEXT NOT NULL,
	opened_at TIMESTAMP NOT NULL,
	seen_at TIMESTAMP NOT NULL,
	PRIMARY KEY (article_id, user_id)
);
CREATE TABLE article_locks (
	article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	user_name TEXT NOT NULL,
	taken_at TIMESTAMP NOT NULL,
	seen_at TIMESTAMP NOT NULL
);
