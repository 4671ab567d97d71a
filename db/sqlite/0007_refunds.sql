-- Refunds (docs/gsp-rules.md §7, README "refund"). A capture is its own row, found by Google's captureRequestId; what remains refundable is
-- amount_micros - refunded_micros, checked and taken in one UPDATE so two partial refunds can never both pass.
-- A refund credits the account by lowering accounts.captured_micros (captured, net of refunds).
CREATE TABLE IF NOT EXISTS captures (
    capture_id                    TEXT    NOT NULL PRIMARY KEY,
    payment_integrator_account_id TEXT    NOT NULL,
    capture_request_id            TEXT    NOT NULL,
    reservation_id                TEXT    NOT NULL UNIQUE REFERENCES reservations (reservation_id),
    account_id                    TEXT    NOT NULL REFERENCES accounts (account_id),
    currency_code                 TEXT    NOT NULL,
    amount_micros                 INTEGER NOT NULL CHECK (amount_micros > 0),
    refunded_micros               INTEGER NOT NULL DEFAULT 0 CHECK (refunded_micros >= 0 AND refunded_micros <= amount_micros),
    captured_at                   INTEGER NOT NULL,
    UNIQUE (payment_integrator_account_id, capture_request_id)
);

CREATE INDEX IF NOT EXISTS ix_captures_captured_at ON captures (payment_integrator_account_id, captured_at);

-- Captures made before this table existed.
INSERT OR IGNORE INTO captures (capture_id, payment_integrator_account_id, capture_request_id, reservation_id, account_id,
                                currency_code, amount_micros, captured_at)
SELECT r.capture_id, r.payment_integrator_account_id, e.request_id, r.reservation_id, r.account_id,
       r.currency_code, r.captured_amount_micros, e.occurred_at
FROM reservations r JOIN reservation_events e ON e.reservation_id = r.reservation_id AND e.to_state = 'CAPTURED'
WHERE r.state = 'CAPTURED' AND e.request_id IS NOT NULL;

-- One row per successful refund; refund_id is our paymentIntegratorRefundId. Declines are in the request journal only.
CREATE TABLE IF NOT EXISTS refunds (
    refund_id                     TEXT    NOT NULL PRIMARY KEY,
    payment_integrator_account_id TEXT    NOT NULL,
    refund_request_id             TEXT    NOT NULL,
    capture_id                    TEXT    NOT NULL REFERENCES captures (capture_id),
    amount_micros                 INTEGER NOT NULL CHECK (amount_micros > 0),
    created_at                    INTEGER NOT NULL,
    UNIQUE (payment_integrator_account_id, refund_request_id)
);

CREATE INDEX IF NOT EXISTS ix_refunds_capture ON refunds (capture_id, created_at);
CREATE INDEX IF NOT EXISTS ix_refunds_created ON refunds (payment_integrator_account_id, created_at);
