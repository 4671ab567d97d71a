-- The role of a person signed in through the identity provider (see db/sqlite/0016_console_roles.sql).
CREATE TABLE IF NOT EXISTS console_session_roles (
    session_sha256 TEXT NOT NULL PRIMARY KEY REFERENCES console_sessions (session_sha256),
    role           TEXT NOT NULL
);
