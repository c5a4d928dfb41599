-- An article the desk pins to lead the home page (WordPress's sticky
-- posts come in pinned). The home page asks for the newest pinned one.
ALTER TABLE articles ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX articles_pinned ON articles (published_at) WHERE pinned;
