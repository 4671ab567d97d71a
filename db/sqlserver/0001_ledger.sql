-- The embedded ledger: customer accounts and the payment tokens Google holds for them.
-- Money is integer micros; times are UTC epoch milliseconds. Identifiers compare as binary (case-sensitive), like
-- the other engines. balance = opening_balance_micros - captured_micros; available = balance - held_micros.
IF OBJECT_ID(N'accounts', N'U') IS NULL
CREATE TABLE accounts (
    account_id               NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    currency_code            NVARCHAR(3)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    status                   NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (status IN (N'ACTIVE', N'ON_HOLD', N'CLOSED')),
    opening_balance_micros   BIGINT NOT NULL,
    captured_micros          BIGINT NOT NULL DEFAULT 0 CHECK (captured_micros >= 0),
    held_micros              BIGINT NOT NULL DEFAULT 0 CHECK (held_micros >= 0),
    transaction_limit_micros BIGINT NULL,
    updated_at               BIGINT NOT NULL
);

-- Tokens are bearer secrets: only their SHA-256 is stored.
IF OBJECT_ID(N'payment_tokens', N'U') IS NULL
CREATE TABLE payment_tokens (
    token_sha256 NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    account_id   NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES accounts (account_id)
);
