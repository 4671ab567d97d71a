-- The customers who may sign in on the redirect page (the embedded sign-in; a bank replaces it with its own login).
-- passcode_hash is "pbkdf2-sha256$<iterations>$<salt>$<hash>", never the passcode. Failed attempts lock the customer
-- out for a while (Redirect:MaxFailedSignIns, Redirect:SignInLockout).
CREATE TABLE IF NOT EXISTS customers (
    customer_id     TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    passcode_hash   TEXT    NOT NULL,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER NULL,
    updated_at      INTEGER NOT NULL
);

-- Which customer holds an account (the seed's accounts[].customerId); an account has at most one holder.
CREATE TABLE IF NOT EXISTS customer_accounts (
    account_id  TEXT NOT NULL PRIMARY KEY REFERENCES accounts (account_id),
    customer_id TEXT NOT NULL REFERENCES customers (customer_id)
);

CREATE INDEX IF NOT EXISTS ix_customer_accounts_customer ON customer_accounts (customer_id);

-- One redirect (GeneratePaymentTokenRedirectRequest) per redirectRequestId, Google's requestId of the redirect.
-- result is 'pending' until the customer finishes, then success or a decline, once: the browser hand-back, the
-- status method and the complete notification all report it. Tokens are stored as SHA-256 only.
CREATE TABLE IF NOT EXISTS redirect_sessions (
    redirect_request_id           TEXT    NOT NULL PRIMARY KEY,
    payment_integrator_account_id TEXT    NOT NULL,
    amount_micros                 INTEGER NOT NULL,
    currency_code                 TEXT    NOT NULL,
    description                   TEXT    NULL,
    callback_url                  TEXT    NOT NULL,
    request_timestamp             INTEGER NOT NULL,
    offered_token_sha256          TEXT    NULL,
    result                        TEXT    NOT NULL,
    customer_id                   TEXT    NULL,
    account_id                    TEXT    NULL REFERENCES accounts (account_id),
    token_sha256                  TEXT    NULL,
    token_source                  TEXT    NULL CHECK (token_source IN ('googlePaymentToken', 'redirectRequestId')),
    created_at                    INTEGER NOT NULL,
    updated_at                    INTEGER NOT NULL,
    completed_at                  INTEGER NULL
);

CREATE INDEX IF NOT EXISTS ix_redirect_sessions_token ON redirect_sessions (token_sha256);
CREATE INDEX IF NOT EXISTS ix_redirect_sessions_created ON redirect_sessions (created_at);
