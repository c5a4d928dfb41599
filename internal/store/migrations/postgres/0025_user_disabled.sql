-- A disabled account (issue 22) keeps its name on what it wrote but signs
-- in nowhere: no session, no API token, until an admin enables it again.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;
