-- The outbox of cancelFundsReservationResultNotification. notification_id is also the notification's own GSP
-- requestId: fixed when the row is created, identical on every attempt, so Google can de-duplicate.
IF OBJECT_ID(N'notifications', N'U') IS NULL
CREATE TABLE notifications (
    notification_id               NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    cancel_request_id             NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reservation_id                NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES reservations (reservation_id),
    result                        NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    status                        NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (status IN (N'PENDING', N'DELIVERED', N'DEAD')),
    created_at                    BIGINT NOT NULL,
    next_attempt_at               BIGINT NOT NULL,
    attempt_count                 INT NOT NULL DEFAULT 0,
    lease_owner                   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    lease_expires_at              BIGINT NULL,
    delivered_at                  BIGINT NULL,
    last_error                    NVARCHAR(MAX) NULL,
    -- One notification per successful cancel request.
    CONSTRAINT uq_notifications_cancel_request UNIQUE (payment_integrator_account_id, cancel_request_id)
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_notifications_due' AND object_id = OBJECT_ID(N'notifications'))
CREATE INDEX ix_notifications_due ON notifications (next_attempt_at) WHERE status = N'PENDING';

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_notifications_reservation' AND object_id = OBJECT_ID(N'notifications'))
CREATE INDEX ix_notifications_reservation ON notifications (reservation_id);
