-- Newsletters: lists readers subscribe to, the issues sent on them, and
-- what became of each recipient of each issue.
CREATE TABLE newsletter_lists (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	-- 'daily' or 'weekly'; weekday (0 Sunday … 6 Saturday) is the weekly
	-- list's day. send_time is "HH:MM" in the outlet's time zone.
	cadence TEXT NOT NULL DEFAULT 'daily',
	weekday INTEGER NOT NULL DEFAULT 0,
	send_time TEXT NOT NULL DEFAULT '07:00',
	-- A section's list carries only that section's stories.
	section_id INTEGER REFERENCES sections(id) ON DELETE SET NULL,
	enabled BOOLEAN NOT NULL DEFAULT TRUE,
	count_clicks BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

-- One address on one list; only confirmed ones receive issues (double
-- opt-in).
CREATE TABLE newsletter_subscribers (
	id INTEGER PRIMARY KEY,
	list_id INTEGER NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	confirmed BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMP NOT NULL,
	confirmed_at TIMESTAMP,
	UNIQUE (list_id, email)
);
CREATE INDEX newsletter_subscribers_email ON newsletter_subscribers(email);

-- One issue per list and send time (slot): built ahead as a draft, edited
-- by editors (edited), then sent. articles are ids, space-separated, in
-- the order shown.
CREATE TABLE newsletter_issues (
	id INTEGER PRIMARY KEY,
	list_id INTEGER NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
	slot TIMESTAMP NOT NULL,
	period_start TIMESTAMP NOT NULL,
	subject TEXT NOT NULL,
	intro TEXT NOT NULL DEFAULT '',
	articles TEXT NOT NULL DEFAULT '',
	edited BOOLEAN NOT NULL DEFAULT FALSE,
	status TEXT NOT NULL DEFAULT 'draft',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	sent_at TIMESTAMP,
	UNIQUE (list_id, slot)
);

-- An issue's recipients cut into subscriber id ranges, one job each.
CREATE TABLE newsletter_batches (
	id INTEGER PRIMARY KEY,
	issue_id INTEGER NOT NULL REFERENCES newsletter_issues(id) ON DELETE CASCADE,
	first_id INTEGER NOT NULL,
	last_id INTEGER NOT NULL,
	done BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX newsletter_batches_issue ON newsletter_batches(issue_id);

-- Each recipient of an issue, claimed ('sending') before the mail goes and
-- marked after: a resumed batch skips every claimed row, so nobody is
-- mailed twice.
CREATE TABLE newsletter_deliveries (
	issue_id INTEGER NOT NULL REFERENCES newsletter_issues(id) ON DELETE CASCADE,
	subscriber_id INTEGER NOT NULL,
	state TEXT NOT NULL,
	error TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (issue_id, subscriber_id)
);

-- Addresses never mailed again: hard bounces and complaints.
CREATE TABLE email_suppressions (
	email TEXT PRIMARY KEY,
	reason TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

-- Clicks on an issue's stories, counted only when the list asks for it;
-- never per reader.
CREATE TABLE newsletter_clicks (
	issue_id INTEGER NOT NULL REFERENCES newsletter_issues(id) ON DELETE CASCADE,
	article_id INTEGER NOT NULL,
	clicks INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (issue_id, article_id)
);
