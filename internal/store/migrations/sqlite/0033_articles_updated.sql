-- The content API's sync walk (updated_since) and its lists of other
-- states read articles in (updated_at, id) order.
CREATE INDEX articles_updated ON articles(updated_at, id);
