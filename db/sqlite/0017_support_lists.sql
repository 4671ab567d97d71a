-- What support's lists start from (README "Support console"): reservations newest first, or one account's, its
-- captures, and the redirects that bound its tokens.
CREATE INDEX IF NOT EXISTS ix_reservations_created ON reservations (created_at, reservation_id);
CREATE INDEX IF NOT EXISTS ix_reservations_account ON reservations (account_id, created_at);
CREATE INDEX IF NOT EXISTS ix_captures_account ON captures (account_id, captured_at);
CREATE INDEX IF NOT EXISTS ix_redirect_sessions_account ON redirect_sessions (account_id);
