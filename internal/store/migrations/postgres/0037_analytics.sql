-- First-party analytics (internal/analytics). A hit is one page view:
-- never an IP address or a User-Agent, only the visitor's keyed hash
-- (of the day's salt, the site, the address and the browser), which
-- the salt's deletion at the end of the day makes unlinkable. Times are
-- Unix seconds, and buckets the Unix second their minute, hour or day
-- (UTC) starts at: integers compare and group the same on both
-- databases. article_id and section_id are 0 when the page has none
-- (a tag page; the home page).
CREATE TABLE analytics_hits (
    at         BIGINT NOT NULL,
    visitor    BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    article_id BIGINT NOT NULL DEFAULT 0,
    section_id BIGINT NOT NULL DEFAULT 0,
    referrer   TEXT NOT NULL
);
CREATE INDEX analytics_hits_at ON analytics_hits (at);

-- Roll-ups: views per page per minute (kept two days), hour and day.
-- Every node adds its batch with an upsert, so nodes sharing a database
-- never overwrite each other's counts.
CREATE TABLE analytics_minutes (
    bucket     BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    article_id BIGINT NOT NULL,
    section_id BIGINT NOT NULL,
    referrer   TEXT NOT NULL,
    views      BIGINT NOT NULL,
    PRIMARY KEY (bucket, kind, article_id, section_id, referrer)
);
CREATE TABLE analytics_hours (
    bucket     BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    article_id BIGINT NOT NULL,
    section_id BIGINT NOT NULL,
    referrer   TEXT NOT NULL,
    views      BIGINT NOT NULL,
    PRIMARY KEY (bucket, kind, article_id, section_id, referrer)
);
CREATE TABLE analytics_days (
    bucket     BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    article_id BIGINT NOT NULL,
    section_id BIGINT NOT NULL,
    referrer   TEXT NOT NULL,
    views      BIGINT NOT NULL,
    PRIMARY KEY (bucket, kind, article_id, section_id, referrer)
);

-- The day's salt of the visitor hash, shared by every node; the hourly
-- clean-up deletes it once its day is over.
CREATE TABLE analytics_salts (
    day  BIGINT PRIMARY KEY,
    salt BYTEA NOT NULL
);
