-- Accounts whose money is at Mollie (see db/sqlite/0015_mollie.sql).
CREATE TABLE IF NOT EXISTS mollie_accounts (
    account_id  TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL,
    mandate_id  TEXT NOT NULL
);

-- A Mollie webhook names a payment: the commands that made it (reference) or act on it (hold_reference).
CREATE INDEX IF NOT EXISTS ix_backend_commands_reference ON backend_commands (reference);
CREATE INDEX IF NOT EXISTS ix_backend_commands_hold_reference ON backend_commands (hold_reference);
