-- Old addresses answering 301 to new ones, looked up before the 404 page:
-- an imported site's permalinks, ?p= links, category, tag, author, feed
-- and uploads addresses, and the ones editors add. path is the key
-- redirect.Key makes of a request (decoded, lower case, no trailing
-- slash; "?p=12" for WordPress's query links).
CREATE TABLE redirects (
	id INTEGER PRIMARY KEY,
	path TEXT NOT NULL UNIQUE,
	target TEXT NOT NULL,
	origin TEXT NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'import')),
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
