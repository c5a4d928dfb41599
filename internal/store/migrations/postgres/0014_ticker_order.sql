-- Editors order the ticker: readers see the highest position first, and a
-- new line takes the top. Existing lines keep the order they had (newest
-- first). A line sent from an article remembers it, so sending the
-- article again raises that line instead of adding a second.
ALTER TABLE ticker_items ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ticker_items ADD COLUMN article_id BIGINT REFERENCES articles(id) ON DELETE SET NULL;
UPDATE ticker_items SET position = o.rank FROM (
	SELECT id, ROW_NUMBER() OVER (ORDER BY created_at, id) AS rank FROM ticker_items) o
	WHERE o.id = ticker_items.id;
CREATE INDEX ticker_items_position ON ticker_items (position DESC, id DESC);
CREATE INDEX ticker_items_article ON ticker_items (article_id);
