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

-- What names a redirect besides its id (see db/sqlite/0013_sessions.sql).
IF OBJECT_ID(N'redirect_session_refs', N'U') IS NULL
CREATE TABLE redirect_session_refs (
    redirect_request_id NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_redirect_session_refs PRIMARY KEY
        CONSTRAINT fk_redirect_session_refs REFERENCES redirect_sessions (redirect_request_id),
    redirect_sha256     NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT ux_redirect_session_refs UNIQUE,
    browser_sha256      NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL
);
