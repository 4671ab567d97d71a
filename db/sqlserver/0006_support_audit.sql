-- Every support action: who (API key name), when, what, on what, why, and how it ended.
IF OBJECT_ID(N'support_audit', N'U') IS NULL
CREATE TABLE support_audit (
    audit_id    NVARCHAR(64)   COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    actor       NVARCHAR(200)  NOT NULL,
    action      NVARCHAR(64)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    target      NVARCHAR(400)  NOT NULL,
    reason      NVARCHAR(1000) NULL,
    outcome     NVARCHAR(32)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    details     NVARCHAR(MAX)  NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_support_audit_occurred' AND object_id = OBJECT_ID(N'support_audit'))
CREATE INDEX ix_support_audit_occurred ON support_audit (occurred_at);
