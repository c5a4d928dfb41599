-- The content API's lists (store.Feed) page through one state's articles
-- by (published_at, id), or by (updated_at, id) for a sync client's walk
-- and the newsroom's states: the id breaks ties, so the index holds it and
-- a page is read from the index in order rather than sorted.
CREATE INDEX articles_feed_published ON articles(status, published_at, id);
CREATE INDEX articles_feed_updated ON articles(status, updated_at, id);
