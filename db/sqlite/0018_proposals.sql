-- Four eyes (Console:FourEyes, README "Support console"): a money decision one Operator proposes with a reason and a
-- different Operator approves or rejects. pending_key (action and object) is set while the proposal waits, so that one
-- thing has at most one proposal waiting; it is cleared when someone decides.
CREATE TABLE IF NOT EXISTS support_proposals (
    proposal_id     TEXT    NOT NULL PRIMARY KEY,
    action          TEXT    NOT NULL CHECK (action IN ('accept-discrepancy', 'forced-resend', 'release')),
    account_id      TEXT    NULL,
    object_id       TEXT    NOT NULL,
    pending_key     TEXT    NULL,
    summary         TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    proposed_by     TEXT    NOT NULL,
    proposed_at     INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'FAILED')),
    decided_by      TEXT    NULL,
    decided_at      INTEGER NULL,
    decision_reason TEXT    NULL,
    outcome         TEXT    NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_support_proposals_pending ON support_proposals (pending_key) WHERE pending_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_support_proposals_status ON support_proposals (status, proposed_at);
