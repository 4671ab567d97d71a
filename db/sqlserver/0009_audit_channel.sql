-- Which surface an audited action came through: 'api' (/support/v1) or 'console'. A side table, as on the other
-- engines; an audit row without one here came through the API.
IF OBJECT_ID(N'support_audit_channels', N'U') IS NULL
CREATE TABLE support_audit_channels (
    audit_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY REFERENCES support_audit (audit_id),
    channel  NVARCHAR(16) COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (channel IN (N'api', N'console'))
);
