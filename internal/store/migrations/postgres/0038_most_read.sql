-- «الأكثر قراءة» as last computed (store.RefreshMostRead): the site's
-- list (section_id 0) and each section's, in rank order. Pages render the
-- box from here, so it matches the event that purged them.
CREATE TABLE most_read (
    section_id BIGINT NOT NULL,
    rank       INTEGER NOT NULL,
    article_id BIGINT NOT NULL,
    views      BIGINT NOT NULL,
    PRIMARY KEY (section_id, rank)
);
