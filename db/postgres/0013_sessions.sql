-- Console sessions held on the server (see db/sqlite/0013_sessions.sql).
CREATE TABLE IF NOT EXISTS console_sessions (
    session_sha256 TEXT   NOT NULL PRIMARY KEY,
    holder         TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    ended_at       BIGINT NULL,
    end_reason     TEXT   NULL
);

CREATE INDEX IF NOT EXISTS ix_console_sessions_holder ON console_sessions (holder, ended_at);

-- The browser that first arrived with a redirect: only it may decline the session without signing in.
ALTER TABLE redirect_sessions ADD COLUMN IF NOT EXISTS browser_sha256 TEXT NULL;

-- The SHA-256 of the redirectRequestId, by which support pages and URLs name a redirect.
ALTER TABLE redirect_sessions ADD COLUMN IF NOT EXISTS redirect_sha256 TEXT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_redirect_sessions_sha256 ON redirect_sessions (redirect_sha256);
