-- "Send an alert when this is published": kept until the article's
-- publication (now, planned, or by any other path) turns it into an alert.
CREATE TABLE publish_alerts (
	article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
	channels TEXT NOT NULL,
	created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
