-- Accounts that end with the person, sessions and tokens their owner can
-- see and end, password resets, and the addresses an account signs in
-- from (what keeps throttling from locking its owner out).

-- Set when the account was deactivated (a leaver, or by an admin): it
-- cannot sign in, and its sessions and tokens are gone.
ALTER TABLE accounts ADD COLUMN deactivated_at BIGINT;

-- Where a session was started, for the owner's list of sessions.
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN agent TEXT NOT NULL DEFAULT '';

-- Tokens expire (NULL: made before expiry existed, or by an admin for
-- good) and say when they were last used.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;

-- Emailed reset links: the token's SHA-256, valid once, for an hour.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_account ON password_resets (account_id);

-- Addresses an account signed in from, with the last time: failures from
-- elsewhere never refuse the right password from one of these.
CREATE TABLE sign_in_addresses (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, ip)
);
