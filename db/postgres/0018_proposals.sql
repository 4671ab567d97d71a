-- Four eyes: proposals a second Operator approves (see db/sqlite/0018_proposals.sql).
CREATE TABLE IF NOT EXISTS support_proposals (
    proposal_id     TEXT    NOT NULL PRIMARY KEY,
    action          TEXT    NOT NULL CHECK (action IN ('accept-discrepancy', 'forced-resend', 'release')),
    account_id      TEXT    NULL,
    object_id       TEXT    NOT NULL,
    pending_key     TEXT    NULL,
    summary         TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    proposed_by     TEXT    NOT NULL,
    proposed_at     BIGINT  NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'FAILED')),
    decided_by      TEXT    NULL,
    decided_at      BIGINT  NULL,
    decision_reason TEXT    NULL,
    outcome         TEXT    NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_support_proposals_pending ON support_proposals (pending_key) WHERE pending_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_support_proposals_status ON support_proposals (status, proposed_at);
