CREATE TABLE sections (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tags (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE authors (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	bio TEXT NOT NULL DEFAULT '',
	user_id INTEGER REFERENCES users(id) ON DELETE SET NULL
);

CREATE TABLE media (
	id INTEGER PRIMARY KEY,
	path TEXT NOT NULL UNIQUE,
	mime TEXT NOT NULL,
	width INTEGER NOT NULL DEFAULT 0,
	height INTEGER NOT NULL DEFAULT 0,
	alt TEXT NOT NULL DEFAULT '',
	caption TEXT NOT NULL DEFAULT '',
	credit TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE articles (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL,
	kicker TEXT NOT NULL DEFAULT '',
	headline TEXT NOT NULL,
	lead TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '[]',
	section_id INTEGER NOT NULL REFERENCES sections(id),
	source TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT 'ar',
	status TEXT NOT NULL,
	breaking BOOLEAN NOT NULL DEFAULT FALSE,
	live BOOLEAN NOT NULL DEFAULT FALSE,
	comments_mode TEXT NOT NULL DEFAULT '',
	seo_title TEXT NOT NULL DEFAULT '',
	seo_description TEXT NOT NULL DEFAULT '',
	featured_id INTEGER REFERENCES media(id) ON DELETE SET NULL,
	published_at TIMESTAMP,
	updated_at TIMESTAMP NOT NULL,
	created_at TIMESTAMP NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX articles_published ON articles(status, published_at DESC);
CREATE INDEX articles_section ON articles(section_id, status, published_at DESC);

CREATE TABLE article_tags (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
	position INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags(tag_id);

CREATE TABLE article_authors (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
	position INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors(author_id);

CREATE TABLE ticker_items (
	id INTEGER PRIMARY KEY,
	text TEXT NOT NULL,
	url TEXT NOT NULL DEFAULT '',
	expires_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL,
	article_id INTEGER,
	payload TEXT NOT NULL DEFAULT '{}',
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE event_cursors (
	consumer TEXT PRIMARY KEY,
	last_id INTEGER NOT NULL
);
