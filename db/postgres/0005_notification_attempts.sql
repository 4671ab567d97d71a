-- Every delivery attempt of a notification: when, by which dispatcher, what Google answered, how long it took.
CREATE TABLE IF NOT EXISTS notification_attempts (
    attempt_id      TEXT    NOT NULL PRIMARY KEY,
    notification_id TEXT    NOT NULL REFERENCES notifications (notification_id),
    attempted_at    BIGINT  NOT NULL,
    dispatcher      TEXT    NOT NULL,
    http_status     INTEGER NULL,
    latency_ms      BIGINT  NOT NULL,
    outcome         TEXT    NOT NULL CHECK (outcome IN ('DELIVERED', 'FAILED')),
    error           TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_notification_attempts_notification ON notification_attempts (notification_id, attempted_at);

-- Support lists notifications by status and time.
CREATE INDEX IF NOT EXISTS ix_notifications_status_created ON notifications (status, created_at);
