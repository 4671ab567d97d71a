-- Refunds (docs/gsp-rules.md §7, README "refund"). A capture is its own row, found by Google's captureRequestId; what remains refundable is
-- amount_micros - refunded_micros, checked and taken in one UPDATE so two partial refunds can never both pass.
-- A refund credits the account by lowering accounts.captured_micros (captured, net of refunds).
IF OBJECT_ID(N'captures', N'U') IS NULL
CREATE TABLE captures (
    capture_id                    NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    capture_request_id            NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reservation_id                NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES reservations (reservation_id),
    account_id                    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES accounts (account_id),
    currency_code                 NVARCHAR(3)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    amount_micros                 BIGINT NOT NULL CHECK (amount_micros > 0),
    refunded_micros               BIGINT NOT NULL DEFAULT 0,
    captured_at                   BIGINT NOT NULL,
    CONSTRAINT ck_captures_refunded CHECK (refunded_micros >= 0 AND refunded_micros <= amount_micros),
    CONSTRAINT uq_captures_reservation UNIQUE (reservation_id),
    CONSTRAINT uq_captures_request UNIQUE (payment_integrator_account_id, capture_request_id)
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_captures_captured_at' AND object_id = OBJECT_ID(N'captures'))
CREATE INDEX ix_captures_captured_at ON captures (payment_integrator_account_id, captured_at);

-- Captures made before this table existed.
INSERT INTO captures (capture_id, payment_integrator_account_id, capture_request_id, reservation_id, account_id,
                      currency_code, amount_micros, captured_at)
SELECT r.capture_id, r.payment_integrator_account_id, e.request_id, r.reservation_id, r.account_id,
       r.currency_code, r.captured_amount_micros, e.occurred_at
FROM reservations r JOIN reservation_events e ON e.reservation_id = r.reservation_id AND e.to_state = N'CAPTURED'
WHERE r.state = N'CAPTURED' AND e.request_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.reservation_id = r.reservation_id);

-- One row per successful refund; refund_id is our paymentIntegratorRefundId. Declines are in the request journal only.
IF OBJECT_ID(N'refunds', N'U') IS NULL
CREATE TABLE refunds (
    refund_id                     NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    refund_request_id             NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    capture_id                    NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES captures (capture_id),
    amount_micros                 BIGINT NOT NULL CHECK (amount_micros > 0),
    created_at                    BIGINT NOT NULL,
    CONSTRAINT uq_refunds_request UNIQUE (payment_integrator_account_id, refund_request_id)
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_refunds_capture' AND object_id = OBJECT_ID(N'refunds'))
CREATE INDEX ix_refunds_capture ON refunds (capture_id, created_at);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_refunds_created' AND object_id = OBJECT_ID(N'refunds'))
CREATE INDEX ix_refunds_created ON refunds (payment_integrator_account_id, created_at);
