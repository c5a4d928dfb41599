-- Readers' Web Push subscriptions; topics are space-separated: "breaking"
-- and/or section slugs.
CREATE TABLE push_subscriptions (
	id INTEGER PRIMARY KEY,
	endpoint TEXT NOT NULL UNIQUE,
	p256dh TEXT NOT NULL,
	auth TEXT NOT NULL,
	topics TEXT NOT NULL DEFAULT 'breaking',
	created_at TIMESTAMP NOT NULL
);

-- E-mail alert subscribers; only confirmed addresses receive alerts
-- (double opt-in).
CREATE TABLE email_subscribers (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	confirmed BOOLEAN NOT NULL DEFAULT FALSE,
	topics TEXT NOT NULL DEFAULT 'breaking',
	created_at TIMESTAMP NOT NULL,
	confirmed_at TIMESTAMP
);

CREATE TABLE alerts (
	id INTEGER PRIMARY KEY,
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	url TEXT NOT NULL,
	urgency TEXT NOT NULL,
	topic TEXT NOT NULL,
	channels TEXT NOT NULL,
	article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
	created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX alerts_created ON alerts(created_at);

-- One row per batch of one channel of one alert: the subscriptions with
-- ids first_id..last_id (for Telegram and webhooks, the targets' indexes).
-- done_up_to is where a resumed batch starts again.
CREATE TABLE alert_deliveries (
	id INTEGER PRIMARY KEY,
	alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
	channel TEXT NOT NULL,
	first_id INTEGER NOT NULL,
	last_id INTEGER NOT NULL,
	done_up_to INTEGER NOT NULL DEFAULT 0,
	-- Recipients past done_up_to already answered when the batch was cut
	-- short (sends finish out of order): skipped on resume.
	done_extra TEXT NOT NULL DEFAULT '',
	total INTEGER NOT NULL DEFAULT 0,
	sent INTEGER NOT NULL DEFAULT 0,
	failed INTEGER NOT NULL DEFAULT 0,
	gone INTEGER NOT NULL DEFAULT 0,
	done BOOLEAN NOT NULL DEFAULT FALSE,
	error TEXT NOT NULL DEFAULT '',
	-- The node sending the batch holds it until lease_until, and renews
	-- the lease at every checkpoint; a crashed node's batch is taken over
	-- once its lease runs out.
	lease_owner TEXT NOT NULL DEFAULT '',
	lease_until TIMESTAMP,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX alert_deliveries_alert ON alert_deliveries(alert_id);

-- Tokens for scripts and agency feeds (the API's Bearer auth); only the
-- SHA-256 of a token is kept.
CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	revoked_at TIMESTAMP
);
