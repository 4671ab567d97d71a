-- Console sessions held on the server (see db/sqlite/0013_sessions.sql).
IF OBJECT_ID(N'console_sessions', N'U') IS NULL
CREATE TABLE console_sessions (
    session_sha256 NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_console_sessions PRIMARY KEY,
    holder         NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    name           NVARCHAR(200) NOT NULL,
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    ended_at       BIGINT NULL,
    end_reason     NVARCHAR(200) NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_console_sessions_holder')
CREATE INDEX ix_console_sessions_holder ON console_sessions (holder, ended_at);

-- The browser that first arrived with a redirect: only it may decline the session without signing in.
IF COL_LENGTH(N'redirect_sessions', N'browser_sha256') IS NULL
ALTER TABLE redirect_sessions ADD browser_sha256 NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NULL;

-- The SHA-256 of the redirectRequestId, by which support pages and URLs name a redirect.
IF COL_LENGTH(N'redirect_sessions', N'redirect_sha256') IS NULL
ALTER TABLE redirect_sessions ADD redirect_sha256 NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NULL;

-- In EXEC: the column above does not exist yet when this batch is compiled.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ux_redirect_sessions_sha256')
EXEC(N'CREATE UNIQUE INDEX ux_redirect_sessions_sha256 ON redirect_sessions (redirect_sha256) WHERE redirect_sha256 IS NOT NULL');
