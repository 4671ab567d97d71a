-- The role of a person signed in through the identity provider (see db/sqlite/0016_console_roles.sql).
IF OBJECT_ID(N'console_session_roles', N'U') IS NULL
CREATE TABLE console_session_roles (
    session_sha256 NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_console_session_roles PRIMARY KEY
        CONSTRAINT fk_console_session_roles REFERENCES console_sessions (session_sha256),
    role           NVARCHAR(16) NOT NULL
);
