-- Calls refused before their payload was authenticated, counted per minute, method and code instead of journaled one
-- row each (as on the other engines).
IF OBJECT_ID(N'request_refusals', N'U') IS NULL
CREATE TABLE request_refusals (
    minute_start  BIGINT NOT NULL,
    method        NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    error_code    NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    http_status   INT NOT NULL,
    refusal_count BIGINT NOT NULL,
    last_call_id  NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    CONSTRAINT pk_request_refusals PRIMARY KEY (minute_start, method, error_code, http_status)
);
