-- The idempotency key of every Google method is (paymentIntegratorAccountId, requestId). The row is inserted first
-- in the same transaction as the work it guards and committed only with the exact 200 body, so an error or a crash
-- leaves no row behind and a retry is processed afresh. A concurrent duplicate waits on this key.
CREATE TABLE IF NOT EXISTS idempotency_records (
    payment_integrator_account_id TEXT   NOT NULL,
    request_id                    TEXT   NOT NULL,
    method                        TEXT   NOT NULL,
    fingerprint                   TEXT   NOT NULL,
    response_body                 TEXT   NOT NULL,
    created_at                    BIGINT NOT NULL,
    PRIMARY KEY (payment_integrator_account_id, request_id)
);

CREATE INDEX IF NOT EXISTS ix_idempotency_records_created ON idempotency_records (created_at);

-- What each Google call asked and what we answered, for support.
CREATE TABLE IF NOT EXISTS request_journal (
    call_id                       TEXT    NOT NULL PRIMARY KEY,
    received_at                   BIGINT  NOT NULL,
    method                        TEXT    NOT NULL,
    payment_integrator_account_id TEXT    NULL,
    request_id                    TEXT    NULL,
    reserve_funds_request_id      TEXT    NULL,
    outcome                       TEXT    NOT NULL CHECK (outcome IN ('EXECUTED', 'REJECTED')),
    request_json                  TEXT    NULL,
    http_status                   INTEGER NOT NULL,
    response_body                 TEXT    NULL,
    error_code                    TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_request_journal_key ON request_journal (payment_integrator_account_id, request_id);
CREATE INDEX IF NOT EXISTS ix_request_journal_reservation ON request_journal (payment_integrator_account_id, reserve_funds_request_id);
CREATE INDEX IF NOT EXISTS ix_request_journal_received ON request_journal (received_at);

-- How often Google repeated a completed request (replays answered from the idempotency store), keyed like the
-- idempotency record. Kept apart from the wide journal rows and holding only keys that were replayed, so that counting
-- a replay costs the same with 10 k or 10 M stored requests. Purged by last_replayed_at with the same retention.
CREATE TABLE IF NOT EXISTS request_replays (
    payment_integrator_account_id TEXT    NOT NULL,
    request_id                    TEXT    NOT NULL,
    replay_count                  INTEGER NOT NULL,
    last_replayed_at              BIGINT  NOT NULL,
    PRIMARY KEY (payment_integrator_account_id, request_id)
);

CREATE INDEX IF NOT EXISTS ix_request_replays_last ON request_replays (last_replayed_at);
