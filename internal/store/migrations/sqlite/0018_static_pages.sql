-- The outlet's own pages (about, contact, its policies), written with the
-- article's blocks. purpose names what a page is for (one page each), so
-- the outlet's JSON-LD can point at its policies; footer pages are linked
-- from every page, in position order.
CREATE TABLE pages (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '[]',
	purpose TEXT NOT NULL DEFAULT '',
	footer INTEGER NOT NULL DEFAULT 0,
	position INTEGER NOT NULL DEFAULT 0,
	updated_at TIMESTAMP NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX pages_purpose ON pages(purpose) WHERE purpose <> '';
