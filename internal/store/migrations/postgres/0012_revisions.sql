-- Every explicit save of an article: who, when, and the edited fields as
-- they were saved (JSON), so any two can be compared and one restored.
CREATE TABLE article_revisions (
	id BIGSERIAL PRIMARY KEY,
	article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	version BIGINT NOT NULL,
	user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
	user_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	snapshot TEXT NOT NULL
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, id);
