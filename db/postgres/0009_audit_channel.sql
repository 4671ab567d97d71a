-- Which surface an audited action came through: 'api' (/support/v1) or 'console'. A side table, so that this script,
-- like every other, can run again on a half-migrated database (SQLite has no ADD COLUMN IF NOT EXISTS).
-- An audit row without one here came through the API.
CREATE TABLE IF NOT EXISTS support_audit_channels (
    audit_id TEXT NOT NULL PRIMARY KEY REFERENCES support_audit (audit_id),
    channel  TEXT NOT NULL CHECK (channel IN ('api', 'console'))
);
