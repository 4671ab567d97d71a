-- Four eyes: proposals a second Operator approves (see db/sqlite/0018_proposals.sql).
IF OBJECT_ID(N'support_proposals', N'U') IS NULL
CREATE TABLE support_proposals (
    proposal_id     NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_support_proposals PRIMARY KEY,
    action          NVARCHAR(32)  NOT NULL CONSTRAINT ck_support_proposals_action CHECK (action IN ('accept-discrepancy', 'forced-resend', 'release')),
    account_id      NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    object_id       NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    pending_key     NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NULL,
    summary         NVARCHAR(1000) NOT NULL,
    reason          NVARCHAR(500) NOT NULL,
    proposed_by     NVARCHAR(200) NOT NULL,
    proposed_at     BIGINT NOT NULL,
    status          NVARCHAR(16)  NOT NULL CONSTRAINT ck_support_proposals_status CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'FAILED')),
    decided_by      NVARCHAR(200) NULL,
    decided_at      BIGINT NULL,
    decision_reason NVARCHAR(500) NULL,
    outcome         NVARCHAR(1000) NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ux_support_proposals_pending')
CREATE UNIQUE INDEX ux_support_proposals_pending ON support_proposals (pending_key) WHERE pending_key IS NOT NULL;

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_support_proposals_status')
CREATE INDEX ix_support_proposals_status ON support_proposals (status, proposed_at);
