-- Remittance statements Google raises (docs/gsp-rules.md §7, README "Remittance"), each stored once per (PIAID, statementId), and the durable
-- reconciliation job over them: a row is due while next_attempt_at is set, and is worked under a lease like the
-- notification outbox. statement_row_id is our paymentIntegratorStatementId.
IF OBJECT_ID(N'remittance_statements', N'U') IS NULL
CREATE TABLE remittance_statements (
    statement_row_id              NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    statement_id                  NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    summary_json                  NVARCHAR(MAX) NOT NULL,
    currency_code                 NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    total_due_micros              BIGINT NOT NULL,
    billing_start                 BIGINT NOT NULL,
    billing_end                   BIGINT NOT NULL,
    date_due                      BIGINT NULL,
    status                        NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (status IN (N'RECEIVED', N'MATCHED', N'DISCREPANCY', N'ACCEPTED')),
    event_count                   INT NULL,
    accept_request_id             NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    accepted_by                   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    accept_reason                 NVARCHAR(MAX) NULL,
    accepted_at                   BIGINT NULL,
    received_at                   BIGINT NOT NULL,
    updated_at                    BIGINT NOT NULL,
    next_attempt_at               BIGINT NULL,
    attempt_count                 INT NOT NULL DEFAULT 0,
    lease_owner                   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    lease_expires_at              BIGINT NULL,
    last_error                    NVARCHAR(MAX) NULL,
    CONSTRAINT uq_remittance_statements UNIQUE (payment_integrator_account_id, statement_id)
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_remittance_statements_due' AND object_id = OBJECT_ID(N'remittance_statements'))
    EXEC(N'CREATE INDEX ix_remittance_statements_due ON remittance_statements (next_attempt_at) WHERE next_attempt_at IS NOT NULL');
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_remittance_statements_status' AND object_id = OBJECT_ID(N'remittance_statements'))
    CREATE INDEX ix_remittance_statements_status ON remittance_statements (status, received_at);

-- The capture and refund events of a statement, as Google listed them.
IF OBJECT_ID(N'remittance_events', N'U') IS NULL
CREATE TABLE remittance_events (
    event_row_id                NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    statement_row_id            NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES remittance_statements (statement_row_id),
    position                    INT NOT NULL,
    kind                        NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (kind IN (N'CAPTURE', N'REFUND')),
    event_request_id            NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    payment_integrator_event_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    charge_micros               BIGINT NOT NULL,
    fee_micros                  BIGINT NOT NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_remittance_events_statement' AND object_id = OBJECT_ID(N'remittance_events'))
    CREATE INDEX ix_remittance_events_statement ON remittance_events (statement_row_id, position);

-- What reconciliation found wrong: UNKNOWN_TO_US, MISSING_FROM_GOOGLE, AMOUNT_DIFFERS, TOTAL_DIFFERS, UNSUPPORTED_EVENTS.
IF OBJECT_ID(N'remittance_differences', N'U') IS NULL
CREATE TABLE remittance_differences (
    difference_id    NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    statement_row_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES remittance_statements (statement_row_id),
    kind             NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_id       NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    ours_micros      BIGINT NULL,
    google_micros    BIGINT NULL,
    detail           NVARCHAR(MAX) NOT NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_remittance_differences_statement' AND object_id = OBJECT_ID(N'remittance_differences'))
    CREATE INDEX ix_remittance_differences_statement ON remittance_differences (statement_row_id);

-- Every call to Google for a statement (remittanceStatementDetails pages, acceptRemittanceStatement), like a
-- notification attempt.
IF OBJECT_ID(N'remittance_calls', N'U') IS NULL
CREATE TABLE remittance_calls (
    call_id          NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    statement_row_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES remittance_statements (statement_row_id),
    method           NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_id       NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    attempted_at     BIGINT NOT NULL,
    dispatcher       NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    http_status      INT NULL,
    latency_ms       BIGINT NOT NULL,
    outcome          NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (outcome IN (N'OK', N'FAILED')),
    error            NVARCHAR(MAX) NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_remittance_calls_statement' AND object_id = OBJECT_ID(N'remittance_calls'))
    CREATE INDEX ix_remittance_calls_statement ON remittance_calls (statement_row_id, attempted_at);
