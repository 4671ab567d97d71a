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

-- What names a redirect besides its id (see db/sqlite/0013_sessions.sql).
CREATE TABLE IF NOT EXISTS redirect_session_refs (
    redirect_request_id TEXT NOT NULL PRIMARY KEY REFERENCES redirect_sessions (redirect_request_id),
    redirect_sha256     TEXT NOT NULL UNIQUE,
    browser_sha256      TEXT NOT NULL
);
