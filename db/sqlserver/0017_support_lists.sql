-- What support's lists start from (see db/sqlite/0017_support_lists.sql).
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_reservations_created')
CREATE INDEX ix_reservations_created ON reservations (created_at, reservation_id);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_reservations_account')
CREATE INDEX ix_reservations_account ON reservations (account_id, created_at);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_captures_account')
CREATE INDEX ix_captures_account ON captures (account_id, captured_at);

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_redirect_sessions_account')
CREATE INDEX ix_redirect_sessions_account ON redirect_sessions (account_id);
