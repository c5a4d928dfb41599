-- 0020's per-instance vocabulary table counted the terms each article
-- holds for partial matches; one index lookup per term does it faster
-- (store.searchSQLite), so it goes.
DROP TABLE search_vocab;
