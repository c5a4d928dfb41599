-- Comment form tokens already spent: one token, one comment, on every
-- node. nonce is the token's random part; a row may go once the token
-- would be refused for its age anyway (lapses_at).
CREATE TABLE comment_tokens_spent (
	nonce TEXT PRIMARY KEY,
	lapses_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX comment_tokens_spent_lapses ON comment_tokens_spent (lapses_at);
