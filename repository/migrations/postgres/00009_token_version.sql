-- Per-user token version: every access token carries the version of its
-- user at login, and a request is refused once the row holds another. A
-- password change, a disable, a new role or unit and a logout raise it, so
-- the tokens issued before stop working for good (a version never goes back).
ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
