-- The role of a person signed in through the identity provider (see db/sqlite/0016_console_roles.sql).
ALTER TABLE console_sessions ADD COLUMN IF NOT EXISTS role TEXT NULL;
