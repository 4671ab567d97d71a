-- The idempotency key of every Google method is (paymentIntegratorAccountId, requestId). The row is inserted first
-- in the same transaction as the work it guards and committed only with the exact 200 body, so an error or a crash
-- leaves no row behind and a retry is processed afresh. A concurrent duplicate waits on this key's lock.
IF OBJECT_ID(N'idempotency_records', N'U') IS NULL
CREATE TABLE idempotency_records (
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_id                    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    method                        NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    fingerprint                   NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    response_body                 NVARCHAR(MAX) NOT NULL,
    created_at                    BIGINT NOT NULL,
    CONSTRAINT pk_idempotency_records PRIMARY KEY (payment_integrator_account_id, request_id)
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_idempotency_records_created' AND object_id = OBJECT_ID(N'idempotency_records'))
CREATE INDEX ix_idempotency_records_created ON idempotency_records (created_at);

-- What each Google call asked and what we answered, for support.
IF OBJECT_ID(N'request_journal', N'U') IS NULL
CREATE TABLE request_journal (
    call_id                       NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    received_at                   BIGINT NOT NULL,
    method                        NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    request_id                    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    reserve_funds_request_id      NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    outcome                       NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (outcome IN (N'EXECUTED', N'REJECTED')),
    request_json                  NVARCHAR(MAX) NULL,
    http_status                   INT NOT NULL,
    response_body                 NVARCHAR(MAX) NULL,
    error_code                    NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_request_journal_key' AND object_id = OBJECT_ID(N'request_journal'))
CREATE INDEX ix_request_journal_key ON request_journal (payment_integrator_account_id, request_id);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_request_journal_reservation' AND object_id = OBJECT_ID(N'request_journal'))
CREATE INDEX ix_request_journal_reservation ON request_journal (payment_integrator_account_id, reserve_funds_request_id);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_request_journal_received' AND object_id = OBJECT_ID(N'request_journal'))
CREATE INDEX ix_request_journal_received ON request_journal (received_at);

-- How often Google repeated a completed request (replays answered from the idempotency store), keyed like the
-- idempotency record. Kept apart from the wide journal rows and holding only keys that were replayed, so that counting
-- a replay costs the same with 10 k or 10 M stored requests. Purged by last_replayed_at with the same retention.
IF OBJECT_ID(N'request_replays', N'U') IS NULL
CREATE TABLE request_replays (
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_id                    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    replay_count                  INT NOT NULL,
    last_replayed_at              BIGINT NOT NULL,
    CONSTRAINT pk_request_replays PRIMARY KEY (payment_integrator_account_id, request_id)
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_request_replays_last' AND object_id = OBJECT_ID(N'request_replays'))
CREATE INDEX ix_request_replays_last ON request_replays (last_replayed_at);
