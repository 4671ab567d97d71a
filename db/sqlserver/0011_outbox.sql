-- One outbox for every notification we send Google: cancel results (0004/0005, whose rows move here) and redirect
-- completions. notification_id is the notification's own GSP requestId, identical on every attempt. Written so that
-- running it again changes nothing: the old tables are recreated empty only to be copied from and dropped again.
IF OBJECT_ID(N'outbox', N'U') IS NULL
CREATE TABLE outbox (
    notification_id               NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    kind                          NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (kind IN (N'CANCEL_RESULT', N'REDIRECT_COMPLETE')),
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    cancel_request_id             NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    reservation_id                NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NULL REFERENCES reservations (reservation_id),
    redirect_request_id           NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    result                        NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    status                        NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (status IN (N'PENDING', N'DELIVERED', N'DEAD')),
    created_at                    BIGINT NOT NULL,
    next_attempt_at               BIGINT NOT NULL,
    attempt_count                 INT NOT NULL DEFAULT 0,
    lease_owner                   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    lease_expires_at              BIGINT NULL,
    delivered_at                  BIGINT NULL,
    last_error                    NVARCHAR(MAX) NULL,
    CONSTRAINT ck_outbox_subject CHECK (
        (kind = N'CANCEL_RESULT' AND cancel_request_id IS NOT NULL AND reservation_id IS NOT NULL AND redirect_request_id IS NULL)
        OR (kind = N'REDIRECT_COMPLETE' AND redirect_request_id IS NOT NULL AND cancel_request_id IS NULL AND reservation_id IS NULL))
);

-- One notification per successful cancel request, one per finished redirect.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ux_outbox_cancel' AND object_id = OBJECT_ID(N'outbox'))
CREATE UNIQUE INDEX ux_outbox_cancel ON outbox (payment_integrator_account_id, cancel_request_id) WHERE cancel_request_id IS NOT NULL;

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ux_outbox_redirect' AND object_id = OBJECT_ID(N'outbox'))
CREATE UNIQUE INDEX ux_outbox_redirect ON outbox (redirect_request_id) WHERE redirect_request_id IS NOT NULL;

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_outbox_due' AND object_id = OBJECT_ID(N'outbox'))
CREATE INDEX ix_outbox_due ON outbox (next_attempt_at) WHERE status = N'PENDING';

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_outbox_reservation' AND object_id = OBJECT_ID(N'outbox'))
CREATE INDEX ix_outbox_reservation ON outbox (reservation_id);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_outbox_status_created' AND object_id = OBJECT_ID(N'outbox'))
CREATE INDEX ix_outbox_status_created ON outbox (status, created_at);

IF OBJECT_ID(N'outbox_attempts', N'U') IS NULL
CREATE TABLE outbox_attempts (
    attempt_id      NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    notification_id NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES outbox (notification_id),
    attempted_at    BIGINT NOT NULL,
    dispatcher      NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    http_status     INT NULL,
    latency_ms      BIGINT NOT NULL,
    outcome         NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (outcome IN (N'DELIVERED', N'FAILED')),
    error           NVARCHAR(MAX) NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_outbox_attempts_notification' AND object_id = OBJECT_ID(N'outbox_attempts'))
CREATE INDEX ix_outbox_attempts_notification ON outbox_attempts (notification_id, attempted_at);

IF OBJECT_ID(N'notifications', N'U') IS NULL
CREATE TABLE notifications (
    notification_id NVARCHAR(64) NOT NULL PRIMARY KEY, payment_integrator_account_id NVARCHAR(200) NOT NULL,
    cancel_request_id NVARCHAR(100) NOT NULL, reservation_id NVARCHAR(64) NOT NULL, result NVARCHAR(32) NOT NULL,
    status NVARCHAR(16) NOT NULL, created_at BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL, attempt_count INT NOT NULL,
    lease_owner NVARCHAR(200) NULL, lease_expires_at BIGINT NULL, delivered_at BIGINT NULL, last_error NVARCHAR(MAX) NULL);

IF OBJECT_ID(N'notification_attempts', N'U') IS NULL
CREATE TABLE notification_attempts (
    attempt_id NVARCHAR(64) NOT NULL PRIMARY KEY, notification_id NVARCHAR(64) NOT NULL, attempted_at BIGINT NOT NULL,
    dispatcher NVARCHAR(200) NOT NULL, http_status INT NULL, latency_ms BIGINT NOT NULL, outcome NVARCHAR(16) NOT NULL,
    error NVARCHAR(MAX) NULL);

INSERT INTO outbox (notification_id, kind, payment_integrator_account_id, cancel_request_id, reservation_id, result, status,
                    created_at, next_attempt_at, attempt_count, lease_owner, lease_expires_at, delivered_at, last_error)
SELECT notification_id, N'CANCEL_RESULT', payment_integrator_account_id, cancel_request_id, reservation_id, result, status,
       created_at, next_attempt_at, attempt_count, lease_owner, lease_expires_at, delivered_at, last_error
FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notification_id = n.notification_id);

INSERT INTO outbox_attempts (attempt_id, notification_id, attempted_at, dispatcher, http_status, latency_ms, outcome, error)
SELECT attempt_id, notification_id, attempted_at, dispatcher, http_status, latency_ms, outcome, error
FROM notification_attempts a WHERE NOT EXISTS (SELECT 1 FROM outbox_attempts o WHERE o.attempt_id = a.attempt_id);

DROP TABLE IF EXISTS notification_attempts;
DROP TABLE IF EXISTS notifications;
