-- Calls refused before their payload was authenticated (undecryptable, unsigned, too large, a support key on a Google
-- route, a wrong HTTP method), counted per minute, method and code instead of journaled one row each: a flood of
-- garbage adds at most one row per minute and kind. Each such call's identifier is in its access-log line.
CREATE TABLE IF NOT EXISTS request_refusals (
    minute_start  BIGINT  NOT NULL,
    method        TEXT    NOT NULL,
    error_code    TEXT    NOT NULL,
    http_status   INTEGER NOT NULL,
    refusal_count BIGINT  NOT NULL,
    last_call_id  TEXT    NOT NULL,
    PRIMARY KEY (minute_start, method, error_code, http_status)
);
