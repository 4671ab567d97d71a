-- Every delivery attempt of a notification: when, by which dispatcher, what Google answered, how long it took.
IF OBJECT_ID(N'notification_attempts', N'U') IS NULL
CREATE TABLE notification_attempts (
    attempt_id      NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    notification_id NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES notifications (notification_id),
    attempted_at    BIGINT NOT NULL,
    dispatcher      NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    http_status     INT NULL,
    latency_ms      BIGINT NOT NULL,
    outcome         NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (outcome IN (N'DELIVERED', N'FAILED')),
    error           NVARCHAR(MAX) NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_notification_attempts_notification' AND object_id = OBJECT_ID(N'notification_attempts'))
CREATE INDEX ix_notification_attempts_notification ON notification_attempts (notification_id, attempted_at);

-- Support lists notifications by status and time.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_notifications_status_created' AND object_id = OBJECT_ID(N'notifications'))
CREATE INDEX ix_notifications_status_created ON notifications (status, created_at);
