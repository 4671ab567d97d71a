-- The role of a person signed in through the organisation's OpenID Connect provider (Console:Oidc), as their claims
-- gave it at sign-in, for the session's life. A support key's session has no row here: its role is read from
-- Support:ApiKeys on every request. (A table of its own: SQLite cannot add a column re-runnably.)
CREATE TABLE IF NOT EXISTS console_session_roles (
    session_sha256 TEXT NOT NULL PRIMARY KEY REFERENCES console_sessions (session_sha256),
    role           TEXT NOT NULL
);
