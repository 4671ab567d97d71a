-- Remittance statements Google raises (docs/gsp-rules.md §7, README "Remittance"), each stored once per (PIAID, statementId), and the durable
-- reconciliation job over them: a row is due while next_attempt_at is set, and is worked under a lease like the
-- notification outbox. statement_row_id is our paymentIntegratorStatementId.
CREATE TABLE IF NOT EXISTS remittance_statements (
    statement_row_id              TEXT    NOT NULL PRIMARY KEY,
    payment_integrator_account_id TEXT    NOT NULL,
    statement_id                  TEXT    NOT NULL,
    summary_json                  TEXT    NOT NULL,
    currency_code                 TEXT    NOT NULL,
    total_due_micros              INTEGER NOT NULL,
    billing_start                 INTEGER NOT NULL,
    billing_end                   INTEGER NOT NULL,
    date_due                      INTEGER NULL,
    status                        TEXT    NOT NULL CHECK (status IN ('RECEIVED', 'MATCHED', 'DISCREPANCY', 'ACCEPTED')),
    event_count                   INTEGER NULL,
    accept_request_id             TEXT    NULL,
    accepted_by                   TEXT    NULL,
    accept_reason                 TEXT    NULL,
    accepted_at                   INTEGER NULL,
    received_at                   INTEGER NOT NULL,
    updated_at                    INTEGER NOT NULL,
    next_attempt_at               INTEGER NULL,
    attempt_count                 INTEGER NOT NULL DEFAULT 0,
    lease_owner                   TEXT    NULL,
    lease_expires_at              INTEGER NULL,
    last_error                    TEXT    NULL,
    UNIQUE (payment_integrator_account_id, statement_id)
);

CREATE INDEX IF NOT EXISTS ix_remittance_statements_due ON remittance_statements (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_remittance_statements_status ON remittance_statements (status, received_at);

-- The capture and refund events of a statement, as Google listed them.
CREATE TABLE IF NOT EXISTS remittance_events (
    event_row_id                TEXT    NOT NULL PRIMARY KEY,
    statement_row_id            TEXT    NOT NULL REFERENCES remittance_statements (statement_row_id),
    position                    INTEGER NOT NULL,
    kind                        TEXT    NOT NULL CHECK (kind IN ('CAPTURE', 'REFUND')),
    event_request_id            TEXT    NOT NULL,
    payment_integrator_event_id TEXT    NULL,
    charge_micros               INTEGER NOT NULL,
    fee_micros                  INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_remittance_events_statement ON remittance_events (statement_row_id, position);

-- What reconciliation found wrong: UNKNOWN_TO_US, MISSING_FROM_GOOGLE, AMOUNT_DIFFERS, TOTAL_DIFFERS, UNSUPPORTED_EVENTS.
CREATE TABLE IF NOT EXISTS remittance_differences (
    difference_id    TEXT    NOT NULL PRIMARY KEY,
    statement_row_id TEXT    NOT NULL REFERENCES remittance_statements (statement_row_id),
    kind             TEXT    NOT NULL,
    request_id       TEXT    NULL,
    ours_micros      INTEGER NULL,
    google_micros    INTEGER NULL,
    detail           TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_remittance_differences_statement ON remittance_differences (statement_row_id);

-- Every call to Google for a statement (remittanceStatementDetails pages, acceptRemittanceStatement), like a
-- notification attempt.
CREATE TABLE IF NOT EXISTS remittance_calls (
    call_id          TEXT    NOT NULL PRIMARY KEY,
    statement_row_id TEXT    NOT NULL REFERENCES remittance_statements (statement_row_id),
    method           TEXT    NOT NULL,
    request_id       TEXT    NOT NULL,
    attempted_at     INTEGER NOT NULL,
    dispatcher       TEXT    NOT NULL,
    http_status      INTEGER NULL,
    latency_ms       INTEGER NOT NULL,
    outcome          TEXT    NOT NULL CHECK (outcome IN ('OK', 'FAILED')),
    error            TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_remittance_calls_statement ON remittance_calls (statement_row_id, attempted_at);
