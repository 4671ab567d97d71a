-- The customers who may sign in on the redirect page (the embedded sign-in; a bank replaces it with its own login).
-- passcode_hash is "pbkdf2-sha256$<iterations>$<salt>$<hash>", never the passcode. Failed attempts lock the customer
-- out for a while (Redirect:MaxFailedSignIns, Redirect:SignInLockout).
IF OBJECT_ID(N'customers', N'U') IS NULL
CREATE TABLE customers (
    customer_id     NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    name            NVARCHAR(200) NOT NULL,
    passcode_hash   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    failed_sign_ins INT NOT NULL DEFAULT 0,
    locked_until    BIGINT NULL,
    updated_at      BIGINT NOT NULL
);

-- Which customer holds an account (the seed's accounts[].customerId); an account has at most one holder.
IF OBJECT_ID(N'customer_accounts', N'U') IS NULL
CREATE TABLE customer_accounts (
    account_id  NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY REFERENCES accounts (account_id),
    customer_id NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES customers (customer_id)
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_customer_accounts_customer' AND object_id = OBJECT_ID(N'customer_accounts'))
CREATE INDEX ix_customer_accounts_customer ON customer_accounts (customer_id);

-- One redirect (GeneratePaymentTokenRedirectRequest) per redirectRequestId, Google's requestId of the redirect.
-- result is 'pending' until the customer finishes, then success or a decline, once: the browser hand-back, the
-- status method and the complete notification all report it. Tokens are stored as SHA-256 only.
IF OBJECT_ID(N'redirect_sessions', N'U') IS NULL
CREATE TABLE redirect_sessions (
    redirect_request_id           NVARCHAR(100)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    payment_integrator_account_id NVARCHAR(200)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    amount_micros                 BIGINT NOT NULL,
    currency_code                 NVARCHAR(3)    COLLATE Latin1_General_100_BIN2 NOT NULL,
    description                   NVARCHAR(1000) NULL,
    callback_url                  NVARCHAR(2048) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_timestamp             BIGINT NOT NULL,
    offered_token_sha256          NVARCHAR(64)   COLLATE Latin1_General_100_BIN2 NULL,
    result                        NVARCHAR(64)   COLLATE Latin1_General_100_BIN2 NOT NULL,
    customer_id                   NVARCHAR(100)  COLLATE Latin1_General_100_BIN2 NULL,
    account_id                    NVARCHAR(100)  COLLATE Latin1_General_100_BIN2 NULL REFERENCES accounts (account_id),
    token_sha256                  NVARCHAR(64)   COLLATE Latin1_General_100_BIN2 NULL,
    token_source                  NVARCHAR(32)   COLLATE Latin1_General_100_BIN2 NULL CHECK (token_source IN (N'googlePaymentToken', N'redirectRequestId')),
    created_at                    BIGINT NOT NULL,
    updated_at                    BIGINT NOT NULL,
    completed_at                  BIGINT NULL
);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_redirect_sessions_token' AND object_id = OBJECT_ID(N'redirect_sessions'))
CREATE INDEX ix_redirect_sessions_token ON redirect_sessions (token_sha256);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_redirect_sessions_created' AND object_id = OBJECT_ID(N'redirect_sessions'))
CREATE INDEX ix_redirect_sessions_created ON redirect_sessions (created_at);
