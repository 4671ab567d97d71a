-- Back-end commands (see db/sqlite/0014_backend.sql).
IF OBJECT_ID(N'backend_commands', N'U') IS NULL
CREATE TABLE backend_commands (
    command_id                    NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    kind                          NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (kind IN (N'HOLD', N'RELEASE', N'CAPTURE', N'REFUND')),
    command_key                   NVARCHAR(320) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT ux_backend_commands_key UNIQUE,
    payment_integrator_account_id NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_id                    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NULL,
    hold_id                       NVARCHAR(320) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reservation_id                NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    capture_id                    NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NULL,
    refund_id                     NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NULL,
    account_id                    NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    currency_code                 NVARCHAR(3)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    amount_micros                 BIGINT NOT NULL,
    description                   NVARCHAR(MAX) NULL,
    expires_at                    BIGINT NULL,
    state                         NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL
        CHECK (state IN (N'PENDING', N'AWAITING', N'CONFIRMED', N'DECLINED', N'REFUSED', N'FAILED')),
    outcome                       NVARCHAR(200) NULL,
    reference                     NVARCHAR(200) NULL,
    hold_reference                NVARCHAR(200) NULL,
    attempt_count                 INT NOT NULL DEFAULT 0,
    next_attempt_at               BIGINT NULL,
    lease_owner                   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    lease_expires_at              BIGINT NULL,
    last_error                    NVARCHAR(MAX) NULL,
    created_at                    BIGINT NOT NULL,
    updated_at                    BIGINT NOT NULL,
    resolved_at                   BIGINT NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_backend_commands_due' AND object_id = OBJECT_ID(N'backend_commands'))
CREATE INDEX ix_backend_commands_due ON backend_commands (next_attempt_at) WHERE next_attempt_at IS NOT NULL;

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_backend_commands_reservation' AND object_id = OBJECT_ID(N'backend_commands'))
CREATE INDEX ix_backend_commands_reservation ON backend_commands (reservation_id);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_backend_commands_hold' AND object_id = OBJECT_ID(N'backend_commands'))
CREATE INDEX ix_backend_commands_hold ON backend_commands (hold_id);

IF OBJECT_ID(N'backend_command_attempts', N'U') IS NULL
CREATE TABLE backend_command_attempts (
    attempt_id   NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    command_id   NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES backend_commands (command_id),
    attempted_at BIGINT NOT NULL,
    instance     NVARCHAR(200) NOT NULL,
    operation    NVARCHAR(8)   COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (operation IN (N'SEND', N'CHECK')),
    http_status  INT NULL,
    latency_ms   BIGINT NOT NULL,
    outcome      NVARCHAR(200) NOT NULL,
    error        NVARCHAR(MAX) NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_backend_command_attempts_command' AND object_id = OBJECT_ID(N'backend_command_attempts'))
CREATE INDEX ix_backend_command_attempts_command ON backend_command_attempts (command_id, attempted_at);
