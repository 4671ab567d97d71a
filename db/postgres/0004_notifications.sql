-- The outbox of cancelFundsReservationResultNotification. notification_id is also the notification's own GSP
-- requestId: fixed when the row is created, identical on every attempt, so Google can de-duplicate.
CREATE TABLE IF NOT EXISTS notifications (
    notification_id               TEXT    NOT NULL PRIMARY KEY,
    payment_integrator_account_id TEXT    NOT NULL,
    cancel_request_id             TEXT    NOT NULL,
    reservation_id                TEXT    NOT NULL REFERENCES reservations (reservation_id),
    result                        TEXT    NOT NULL,
    status                        TEXT    NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    created_at                    BIGINT  NOT NULL,
    next_attempt_at               BIGINT  NOT NULL,
    attempt_count                 INTEGER NOT NULL DEFAULT 0,
    lease_owner                   TEXT    NULL,
    lease_expires_at              BIGINT  NULL,
    delivered_at                  BIGINT  NULL,
    last_error                    TEXT    NULL,
    -- One notification per successful cancel request.
    UNIQUE (payment_integrator_account_id, cancel_request_id)
);

CREATE INDEX IF NOT EXISTS ix_notifications_due ON notifications (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX IF NOT EXISTS ix_notifications_reservation ON notifications (reservation_id);
