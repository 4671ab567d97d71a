-- Back-end commands (see db/sqlite/0014_backend.sql).
CREATE TABLE IF NOT EXISTS backend_commands (
    command_id                    TEXT    NOT NULL PRIMARY KEY,
    kind                          TEXT    NOT NULL CHECK (kind IN ('HOLD', 'RELEASE', 'CAPTURE', 'REFUND')),
    command_key                   TEXT    NOT NULL UNIQUE,
    payment_integrator_account_id TEXT    NOT NULL,
    request_id                    TEXT    NULL,
    hold_id                       TEXT    NOT NULL,
    reservation_id                TEXT    NOT NULL,
    capture_id                    TEXT    NULL,
    refund_id                     TEXT    NULL,
    account_id                    TEXT    NOT NULL,
    currency_code                 TEXT    NOT NULL,
    amount_micros                 BIGINT  NOT NULL,
    description                   TEXT    NULL,
    expires_at                    BIGINT  NULL,
    state                         TEXT    NOT NULL CHECK (state IN ('PENDING', 'AWAITING', 'CONFIRMED', 'DECLINED', 'REFUSED', 'FAILED')),
    outcome                       TEXT    NULL,
    reference                     TEXT    NULL,
    hold_reference                TEXT    NULL,
    attempt_count                 INTEGER NOT NULL DEFAULT 0,
    next_attempt_at               BIGINT  NULL,
    lease_owner                   TEXT    NULL,
    lease_expires_at              BIGINT  NULL,
    last_error                    TEXT    NULL,
    created_at                    BIGINT  NOT NULL,
    updated_at                    BIGINT  NOT NULL,
    resolved_at                   BIGINT  NULL
);

CREATE INDEX IF NOT EXISTS ix_backend_commands_due ON backend_commands (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_backend_commands_reservation ON backend_commands (reservation_id);
CREATE INDEX IF NOT EXISTS ix_backend_commands_hold ON backend_commands (hold_id);

-- Every attempt: a send (the command with its key) or a check (the back end's state of the hold), and its outcome.
CREATE TABLE IF NOT EXISTS backend_command_attempts (
    attempt_id   TEXT    NOT NULL PRIMARY KEY,
    command_id   TEXT    NOT NULL REFERENCES backend_commands (command_id),
    attempted_at BIGINT  NOT NULL,
    instance     TEXT    NOT NULL,
    operation    TEXT    NOT NULL CHECK (operation IN ('SEND', 'CHECK')),
    http_status  INTEGER NULL,
    latency_ms   INTEGER NOT NULL,
    outcome      TEXT    NOT NULL,
    error        TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_backend_command_attempts_command ON backend_command_attempts (command_id, attempted_at);
