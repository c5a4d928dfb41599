-- Agencies that push their copy to POST /api/v1/wires, each with a token
-- of its own (kept as its SHA-256), so a push names its agency and one
-- agency's token is revoked without touching the others.
CREATE TABLE wire_agencies (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	revoked_at TIMESTAMP,
	last_push_at TIMESTAMP
);
