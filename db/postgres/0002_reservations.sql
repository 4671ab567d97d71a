-- A funds reservation (authorization hold) made by reserveFunds. reservation_id is our paymentIntegratorTransactionId.
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id                TEXT   NOT NULL PRIMARY KEY,
    payment_integrator_account_id TEXT   NOT NULL,
    reserve_request_id            TEXT   NOT NULL,
    account_id                    TEXT   NOT NULL REFERENCES accounts (account_id),
    currency_code                 TEXT   NOT NULL,
    amount_micros                 BIGINT NOT NULL CHECK (amount_micros > 0),
    state                         TEXT   NOT NULL CHECK (state IN ('RESERVED', 'CANCELLED', 'EXPIRED', 'CAPTURED')),
    created_at                    BIGINT NOT NULL,
    expires_at                    BIGINT NOT NULL,
    updated_at                    BIGINT NOT NULL,
    capture_id                    TEXT   NULL,
    captured_amount_micros        BIGINT NULL,
    UNIQUE (payment_integrator_account_id, reserve_request_id)
);

-- The expiry sweeper reads only live holds.
CREATE INDEX IF NOT EXISTS ix_reservations_live_expiry ON reservations (expires_at) WHERE state = 'RESERVED';

-- Every state change of a reservation and what caused it (a Google request, the sweeper, a support release).
CREATE TABLE IF NOT EXISTS reservation_events (
    event_id       TEXT   NOT NULL PRIMARY KEY,
    reservation_id TEXT   NOT NULL REFERENCES reservations (reservation_id),
    occurred_at    BIGINT NOT NULL,
    from_state     TEXT   NULL,
    to_state       TEXT   NOT NULL,
    cause          TEXT   NOT NULL,
    request_id     TEXT   NULL,
    actor          TEXT   NULL,
    reason         TEXT   NULL
);

CREATE INDEX IF NOT EXISTS ix_reservation_events_reservation ON reservation_events (reservation_id, occurred_at);
