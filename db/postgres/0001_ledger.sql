-- The embedded ledger: customer accounts and the payment tokens Google holds for them.
-- Money is integer micros; times are UTC epoch milliseconds.
-- balance = opening_balance_micros - captured_micros; available = balance - held_micros.
CREATE TABLE IF NOT EXISTS accounts (
    account_id               TEXT   NOT NULL PRIMARY KEY,
    currency_code            TEXT   NOT NULL,
    status                   TEXT   NOT NULL CHECK (status IN ('ACTIVE', 'ON_HOLD', 'CLOSED')),
    opening_balance_micros   BIGINT NOT NULL,
    captured_micros          BIGINT NOT NULL DEFAULT 0 CHECK (captured_micros >= 0),
    held_micros              BIGINT NOT NULL DEFAULT 0 CHECK (held_micros >= 0),
    transaction_limit_micros BIGINT NULL,
    updated_at               BIGINT NOT NULL
);

-- Tokens are bearer secrets: only their SHA-256 is stored.
CREATE TABLE IF NOT EXISTS payment_tokens (
    token_sha256 TEXT NOT NULL PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (account_id)
);
