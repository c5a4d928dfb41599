-- Scheduled backups, newest last: what a status page shows ("last backup
-- and its result"). error is empty when the backup was written.
CREATE TABLE backup_runs (
	id INTEGER PRIMARY KEY,
	started_at TIMESTAMP NOT NULL,
	finished_at TIMESTAMP NOT NULL,
	file TEXT NOT NULL DEFAULT '',
	size BIGINT NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT ''
);
