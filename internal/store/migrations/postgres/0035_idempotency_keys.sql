-- The content API's Idempotency-Key: the first answer to a POST, kept for
-- a day per user and key, so a client that retries (a lost answer, a
-- crashed script) gets it again instead of a second article. A row is
-- made before the request is carried out (done false), so concurrent
-- retries find it and wait rather than carry it out again; request_hash
-- tells a retry from another request reusing the key.
CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    done         BOOLEAN NOT NULL DEFAULT FALSE,
    status       INTEGER NOT NULL DEFAULT 0,
    headers      TEXT NOT NULL DEFAULT '{}',
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
