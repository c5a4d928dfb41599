-- Two-factor sign-in (TOTP) and the notice of a burst of failed logins.
-- totp_secret is the authenticator's key sealed with the server's
-- two-factor key ('' when off); totp_pending the one being enrolled, not
-- yet confirmed by a code; totp_step the last time step that signed in,
-- so a code is good once. login_burst_at is when the account last saw a
-- burst of failed logins, login_notice whether its holder has yet to see
-- it.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN login_burst_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN login_notice BOOLEAN NOT NULL DEFAULT FALSE;

-- A half-open session: the password was right, the code is still to
-- come. It lives minutes and opens nothing but the code form.
ALTER TABLE sessions ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;

-- Single-use recovery codes, by their SHA-256 (80 random bits each).
CREATE TABLE recovery_codes (
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash TEXT NOT NULL,
	PRIMARY KEY (user_id, code_hash)
);
