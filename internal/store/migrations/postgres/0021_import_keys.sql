-- What an import brought in, by the key it had in the system it came from
-- (a WordPress site's post, page, attachment, comment, term or author), so
-- that importing the same export again updates what changed and adds what
-- is new instead of duplicating. hash tells changed from unchanged.
CREATE TABLE import_keys (
	source TEXT NOT NULL,
	kind TEXT NOT NULL,
	key TEXT NOT NULL,
	guid TEXT NOT NULL DEFAULT '',
	target_id BIGINT NOT NULL,
	hash TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (source, kind, key)
);
