-- An author's profile: the name in Latin letters, a job title, a photo
-- from the media library, an e-mail and links, which the author page shows
-- and Person JSON-LD gives as sameAs.
ALTER TABLE authors ADD COLUMN name_latin TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN photo_id BIGINT REFERENCES media(id) ON DELETE SET NULL;
ALTER TABLE authors ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN x TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN facebook TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN telegram TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN website TEXT NOT NULL DEFAULT '';
