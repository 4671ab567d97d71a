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

-- What names a redirect besides its id, in a table of its own (SQLite cannot add a column re-runnably):
-- redirect_sha256, the SHA-256 of the redirectRequestId, names it in support pages and URLs (the id may be the payment
-- token itself when Google sent none, and URLs end up in access logs); browser_sha256, the SHA-256 of a random value
-- in the cookie of the browser that first arrived, which alone may decline the session without signing in.
CREATE TABLE IF NOT EXISTS redirect_session_refs (
    redirect_request_id TEXT NOT NULL PRIMARY KEY REFERENCES redirect_sessions (redirect_request_id),
    redirect_sha256     TEXT NOT NULL UNIQUE,
    browser_sha256      TEXT NOT NULL
);
