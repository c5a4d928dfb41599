-- The wire desk: agency copy as it arrived (wire.Item), one row per
-- version. The same content under the same guid (a file dropped twice, a
-- push retried) is one row (digest); latest marks each guid's newest
-- version, which the desk lists.
CREATE TABLE wire_items (
	id INTEGER PRIMARY KEY,
	guid TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 0,
	digest TEXT NOT NULL,
	format TEXT NOT NULL,
	source TEXT NOT NULL,
	provider TEXT NOT NULL DEFAULT '',
	headline TEXT NOT NULL,
	lead TEXT NOT NULL DEFAULT '',
	slugline TEXT NOT NULL DEFAULT '',
	dateline TEXT NOT NULL DEFAULT '',
	located TEXT NOT NULL DEFAULT '',
	byline TEXT NOT NULL DEFAULT '',
	creditline TEXT NOT NULL DEFAULT '',
	copyright TEXT NOT NULL DEFAULT '',
	ednote TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	subjects TEXT NOT NULL DEFAULT '[]',
	signals TEXT NOT NULL DEFAULT '[]',
	body_html TEXT NOT NULL DEFAULT '',
	body_text TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('usable', 'withheld', 'canceled')),
	embargoed TIMESTAMP,
	version_created TIMESTAMP,
	first_created TIMESTAMP,
	urgency INTEGER NOT NULL DEFAULT 0,
	previous_version TEXT NOT NULL DEFAULT '',
	received_at TIMESTAMP NOT NULL,
	latest BOOLEAN NOT NULL,
	UNIQUE (guid, digest)
);
CREATE INDEX wire_items_desk ON wire_items (latest, received_at, id);
CREATE INDEX wire_items_guid ON wire_items (guid, version);

-- The desk's search: each item's terms from the Arabic analyser, so a
-- query finds «الأسد» with or without its hamza, as article search does.
CREATE TABLE wire_terms (
	term TEXT NOT NULL,
	wire_id INTEGER NOT NULL REFERENCES wire_items (id) ON DELETE CASCADE,
	PRIMARY KEY (term, wire_id)
);
CREATE INDEX wire_terms_item ON wire_terms (wire_id);

-- Articles made from wire items: a later version or a kill notice of the
-- guid flags them (notice_id) until an editor has seen it (seen_id).
CREATE TABLE wire_articles (
	guid TEXT NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	wire_id INTEGER NOT NULL REFERENCES wire_items (id) ON DELETE CASCADE,
	notice_id INTEGER REFERENCES wire_items (id) ON DELETE SET NULL,
	seen_id INTEGER REFERENCES wire_items (id) ON DELETE SET NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (guid, article_id)
);
CREATE INDEX wire_articles_article ON wire_articles (article_id);
