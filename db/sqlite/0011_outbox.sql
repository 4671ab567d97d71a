-- One outbox for every notification we send Google: cancel results (0004/0005, whose rows move here) and redirect
-- completions. notification_id is the notification's own GSP requestId, identical on every attempt. Written so that
-- running it again changes nothing: the old tables are recreated empty only to be copied from and dropped again.
CREATE TABLE IF NOT EXISTS outbox (
    notification_id               TEXT    NOT NULL PRIMARY KEY,
    kind                          TEXT    NOT NULL CHECK (kind IN ('CANCEL_RESULT', 'REDIRECT_COMPLETE')),
    payment_integrator_account_id TEXT    NOT NULL,
    cancel_request_id             TEXT    NULL,
    reservation_id                TEXT    NULL REFERENCES reservations (reservation_id),
    redirect_request_id           TEXT    NULL,
    result                        TEXT    NOT NULL,
    status                        TEXT    NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    created_at                    INTEGER NOT NULL,
    next_attempt_at               INTEGER NOT NULL,
    attempt_count                 INTEGER NOT NULL DEFAULT 0,
    lease_owner                   TEXT    NULL,
    lease_expires_at              INTEGER NULL,
    delivered_at                  INTEGER NULL,
    last_error                    TEXT    NULL,
    CHECK ((kind = 'CANCEL_RESULT' AND cancel_request_id IS NOT NULL AND reservation_id IS NOT NULL AND redirect_request_id IS NULL)
        OR (kind = 'REDIRECT_COMPLETE' AND redirect_request_id IS NOT NULL AND cancel_request_id IS NULL AND reservation_id IS NULL))
);

-- One notification per successful cancel request, one per finished redirect.
CREATE UNIQUE INDEX IF NOT EXISTS ux_outbox_cancel ON outbox (payment_integrator_account_id, cancel_request_id) WHERE cancel_request_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_outbox_redirect ON outbox (redirect_request_id) WHERE redirect_request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_outbox_due ON outbox (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX IF NOT EXISTS ix_outbox_reservation ON outbox (reservation_id);
CREATE INDEX IF NOT EXISTS ix_outbox_status_created ON outbox (status, created_at);

CREATE TABLE IF NOT EXISTS outbox_attempts (
    attempt_id      TEXT    NOT NULL PRIMARY KEY,
    notification_id TEXT    NOT NULL REFERENCES outbox (notification_id),
    attempted_at    INTEGER NOT NULL,
    dispatcher      TEXT    NOT NULL,
    http_status     INTEGER NULL,
    latency_ms      INTEGER NOT NULL,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('DELIVERED', 'FAILED')),
    error           TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_outbox_attempts_notification ON outbox_attempts (notification_id, attempted_at);

CREATE TABLE IF NOT EXISTS notifications (
    notification_id TEXT NOT NULL PRIMARY KEY, payment_integrator_account_id TEXT NOT NULL, cancel_request_id TEXT NOT NULL,
    reservation_id TEXT NOT NULL, result TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL, attempt_count INTEGER NOT NULL, lease_owner TEXT NULL, lease_expires_at INTEGER NULL,
    delivered_at INTEGER NULL, last_error TEXT NULL);
CREATE TABLE IF NOT EXISTS notification_attempts (
    attempt_id TEXT NOT NULL PRIMARY KEY, notification_id TEXT NOT NULL, attempted_at INTEGER NOT NULL, dispatcher TEXT NOT NULL,
    http_status INTEGER NULL, latency_ms INTEGER NOT NULL, outcome TEXT NOT NULL, error TEXT NULL);

INSERT INTO outbox (notification_id, kind, payment_integrator_account_id, cancel_request_id, reservation_id, result, status,
                    created_at, next_attempt_at, attempt_count, lease_owner, lease_expires_at, delivered_at, last_error)
SELECT notification_id, 'CANCEL_RESULT', payment_integrator_account_id, cancel_request_id, reservation_id, result, status,
       created_at, next_attempt_at, attempt_count, lease_owner, lease_expires_at, delivered_at, last_error
FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notification_id = n.notification_id);

INSERT INTO outbox_attempts (attempt_id, notification_id, attempted_at, dispatcher, http_status, latency_ms, outcome, error)
SELECT attempt_id, notification_id, attempted_at, dispatcher, http_status, latency_ms, outcome, error
FROM notification_attempts a WHERE NOT EXISTS (SELECT 1 FROM outbox_attempts o WHERE o.attempt_id = a.attempt_id);

DROP TABLE IF EXISTS notification_attempts;
DROP TABLE IF EXISTS notifications;
