-- Back-end commands (README "Account back ends"): every money movement at a remote back end (the integrator's core
-- behind the Http contract, or a processor), written with its key before it is first sent and resolved exactly once.
-- command_key is the Idempotency-Key the back end de-duplicates by, the same on every attempt: "{PIAID}:{requestId}"
-- of the Google call that caused it, or "release:{reservation_id}" for a release Integrator decided (expiry, support).
-- hold_id names the hold at the back end (the key of the HOLD command that placed it). A command is due while
-- next_attempt_at is set, claimed with a lease like the outbox. While a CAPTURE is on its way, its reservation stays
-- RESERVED with its capture_id already set: nothing releases it, and no second capture starts, until the back end answers.
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
    amount_micros                 INTEGER NOT NULL,
    description                   TEXT    NULL,
    expires_at                    INTEGER NULL,
    state                         TEXT    NOT NULL CHECK (state IN ('PENDING', 'AWAITING', 'CONFIRMED', 'DECLINED', 'REFUSED', 'FAILED')),
    outcome                       TEXT    NULL,
    reference                     TEXT    NULL,
    hold_reference                TEXT    NULL,
    attempt_count                 INTEGER NOT NULL DEFAULT 0,
    next_attempt_at               INTEGER NULL,
    lease_owner                   TEXT    NULL,
    lease_expires_at              INTEGER NULL,
    last_error                    TEXT    NULL,
    created_at                    INTEGER NOT NULL,
    updated_at                    INTEGER NOT NULL,
    resolved_at                   INTEGER NULL
);

CREATE INDEX IF NOT EXISTS ix_backend_commands_due ON backend_commands (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_backend_commands_reservation ON backend_commands (reservation_id);
CREATE INDEX IF NOT EXISTS ix_backend_commands_hold ON backend_commands (hold_id);

-- Every attempt: a send (the command with its key) or a check (the back end's state of the hold), and its outcome.
CREATE TABLE IF NOT EXISTS backend_command_attempts (
    attempt_id   TEXT    NOT NULL PRIMARY KEY,
    command_id   TEXT    NOT NULL REFERENCES backend_commands (command_id),
    attempted_at INTEGER NOT NULL,
    instance     TEXT    NOT NULL,
    operation    TEXT    NOT NULL CHECK (operation IN ('SEND', 'CHECK')),
    http_status  INTEGER NULL,
    latency_ms   INTEGER NOT NULL,
    outcome      TEXT    NOT NULL,
    error        TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_backend_command_attempts_command ON backend_command_attempts (command_id, attempted_at);
