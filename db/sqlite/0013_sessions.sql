-- Console sessions held on the server: the cookie names a session, and every request checks it here, so signing out,
-- removing a person's key or changing their role takes effect at once, on every instance, and a copied cookie dies
-- with its session. session_sha256 is the SHA-256 of the id in the cookie; holder names who signed in by a key
-- identifier ("key:<first 16 hex of the key's SHA-256>"), never the key.
CREATE TABLE IF NOT EXISTS console_sessions (
    session_sha256 TEXT    NOT NULL PRIMARY KEY,
    holder         TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    ended_at       INTEGER NULL,
    end_reason     TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_console_sessions_holder ON console_sessions (holder, ended_at);

-- The browser that first arrived with a redirect (SHA-256 of a random value in its cookie): only it may decline the
-- session without signing in.
ALTER TABLE redirect_sessions ADD COLUMN browser_sha256 TEXT NULL;

-- The SHA-256 of the redirectRequestId, by which support pages and URLs name a redirect: the id itself may be the
-- payment token (Google sent none), and URLs end up in access logs. Sessions started before this script have none
-- and are found by their id (a POST).
ALTER TABLE redirect_sessions ADD COLUMN redirect_sha256 TEXT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_redirect_sessions_sha256 ON redirect_sessions (redirect_sha256);
