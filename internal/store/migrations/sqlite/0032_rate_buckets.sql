-- Token buckets every node shares (throttle.Shared): on several nodes the
-- login and comment limits must hold for the site, not per node. tokens
-- is what was left at at (seconds since 1970, the taking node's clock);
-- the refill since then is worked out when the bucket is next taken.
CREATE TABLE rate_buckets (
    scope  TEXT NOT NULL,
    key    TEXT NOT NULL,
    tokens DOUBLE PRECISION NOT NULL,
    at     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX rate_buckets_at ON rate_buckets (at);
