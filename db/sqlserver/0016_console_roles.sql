-- The role of a person signed in through the identity provider (see db/sqlite/0016_console_roles.sql).
IF COL_LENGTH(N'console_sessions', N'role') IS NULL
ALTER TABLE console_sessions ADD role NVARCHAR(16) NULL;
