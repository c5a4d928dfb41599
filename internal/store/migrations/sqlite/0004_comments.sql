-- Keys the server generates once and keeps (the key that hashes readers'
-- addresses, for one).
CREATE TABLE secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- Approved comments shown, kept with the article so cards and JSON-LD
-- need no count query.
ALTER TABLE articles ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sections ADD COLUMN comments_mode TEXT NOT NULL DEFAULT '';

CREATE TABLE comments (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	parent_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	name TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	identity TEXT NOT NULL,
	ip_hash TEXT NOT NULL,
	body_hash TEXT NOT NULL,
	held_for TEXT NOT NULL DEFAULT '',
	reports INTEGER NOT NULL DEFAULT 0,
	notify BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_article ON comments(article_id, status, parent_id, created_at);
CREATE INDEX comments_queue ON comments(status, created_at);
CREATE INDEX comments_identity ON comments(identity, created_at);
CREATE INDEX comments_ip ON comments(ip_hash, created_at);
CREATE INDEX comments_parent ON comments(parent_id);

-- One report per comment and address.
CREATE TABLE comment_reports (
	comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
	ip_hash TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (comment_id, ip_hash)
);

CREATE TABLE comment_bans (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL, -- identity or ip
	value TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	expires_at TIMESTAMP,
	created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX comment_bans_value ON comment_bans(value);

-- Who did what, when: publishing, moderation, logins, role changes.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at TIMESTAMP NOT NULL,
	user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	user_name TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
