-- A reply's notice to the commenter it answers goes out once.
ALTER TABLE comments ADD COLUMN notified BOOLEAN NOT NULL DEFAULT FALSE;
