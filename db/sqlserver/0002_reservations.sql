-- A funds reservation (authorization hold) made by reserveFunds. reservation_id is our paymentIntegratorTransactionId.
IF OBJECT_ID(N'reservations', N'U') IS NULL
CREATE TABLE reservations (
    reservation_id                NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reserve_request_id            NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    account_id                    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES accounts (account_id),
    currency_code                 NVARCHAR(3)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    amount_micros                 BIGINT NOT NULL CHECK (amount_micros > 0),
    state                         NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (state IN (N'RESERVED', N'CANCELLED', N'EXPIRED', N'CAPTURED')),
    created_at                    BIGINT NOT NULL,
    expires_at                    BIGINT NOT NULL,
    updated_at                    BIGINT NOT NULL,
    capture_id                    NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NULL,
    captured_amount_micros        BIGINT NULL,
    CONSTRAINT uq_reservations_request UNIQUE (payment_integrator_account_id, reserve_request_id)
);

-- The expiry sweeper reads only live holds.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_reservations_live_expiry' AND object_id = OBJECT_ID(N'reservations'))
CREATE INDEX ix_reservations_live_expiry ON reservations (expires_at) WHERE state = N'RESERVED';

-- Every state change of a reservation and what caused it (a Google request, the sweeper, a support release).
IF OBJECT_ID(N'reservation_events', N'U') IS NULL
CREATE TABLE reservation_events (
    event_id       NVARCHAR(64)   COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    reservation_id NVARCHAR(64)   COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES reservations (reservation_id),
    occurred_at    BIGINT NOT NULL,
    from_state     NVARCHAR(16)   COLLATE Latin1_General_100_BIN2 NULL,
    to_state       NVARCHAR(16)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    cause          NVARCHAR(64)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_id     NVARCHAR(100)  COLLATE Latin1_General_100_BIN2 NULL,
    actor          NVARCHAR(200)  NULL,
    reason         NVARCHAR(1000) NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_reservation_events_reservation' AND object_id = OBJECT_ID(N'reservation_events'))
CREATE INDEX ix_reservation_events_reservation ON reservation_events (reservation_id, occurred_at);
