-- Every support action: who (API key name), when, what, on what, why, and how it ended.
CREATE TABLE IF NOT EXISTS support_audit (
    audit_id    TEXT   NOT NULL PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    actor       TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    target      TEXT   NOT NULL,
    reason      TEXT   NULL,
    outcome     TEXT   NOT NULL,
    details     TEXT   NULL
);

CREATE INDEX IF NOT EXISTS ix_support_audit_occurred ON support_audit (occurred_at);
