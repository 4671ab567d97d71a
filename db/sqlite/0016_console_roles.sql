-- The role of a person signed in through the organisation's OpenID Connect provider (Console:Oidc), as their
-- claims gave it at sign-in; NULL for a support key's holder, whose role is read from Support:ApiKeys on every request.
ALTER TABLE console_sessions ADD COLUMN role TEXT NULL;
