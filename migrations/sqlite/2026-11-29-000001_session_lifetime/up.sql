-- A session's absolute end (issue: sessions have an absolute lifetime): refresh-token rotation
-- never carries a session past it. Sessions that exist already get the default 90 days.
ALTER TABLE sessions ADD COLUMN expires_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE sessions SET expires_at = datetime(created_at, '+90 days');
