-- The desk's readership (/admin/stats). One article's views over a
-- period, a writer's articles' and an alert's before and after are read
-- by article: these let them skip the other articles' rows.
CREATE INDEX analytics_minutes_article ON analytics_minutes (article_id, bucket);
CREATE INDEX analytics_hours_article ON analytics_hours (article_id, bucket);
CREATE INDEX analytics_days_article ON analytics_days (article_id, bucket);

-- An alert's effect: its article's views in the 30 minutes before the
-- alert's minute and the 30 from it, kept by the hourly clean-up before
-- the minute roll-up they come from is deleted.
CREATE TABLE alert_effects (
    alert_id     BIGINT PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
    views_before BIGINT NOT NULL,
    views_after  BIGINT NOT NULL
);
