-- Accounts whose money is at Mollie (see db/sqlite/0015_mollie.sql).
IF OBJECT_ID(N'mollie_accounts', N'U') IS NULL
CREATE TABLE mollie_accounts (
    account_id  NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_mollie_accounts PRIMARY KEY,
    customer_id NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    mandate_id  NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_backend_commands_reference' AND object_id = OBJECT_ID(N'backend_commands'))
CREATE INDEX ix_backend_commands_reference ON backend_commands (reference);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_backend_commands_hold_reference' AND object_id = OBJECT_ID(N'backend_commands'))
CREATE INDEX ix_backend_commands_hold_reference ON backend_commands (hold_reference);
