-- Sections an outlet runs itself: a description for its page and search
-- engines, one level of nesting, hidden from the navigation, archived
-- (its articles stay, new ones go elsewhere). section_slugs keeps every
-- slug a section had, so its old links answer with a redirect.
ALTER TABLE sections ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE sections ADD COLUMN parent_id BIGINT REFERENCES sections(id);
ALTER TABLE sections ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sections ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX sections_parent ON sections(parent_id);

CREATE TABLE section_slugs (
	slug TEXT PRIMARY KEY,
	section_id BIGINT NOT NULL REFERENCES sections(id) ON DELETE CASCADE
);
