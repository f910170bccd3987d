-- A session's absolute end (issue: sessions have an absolute lifetime): refresh-token rotation
-- never carries a session past it. Sessions that exist already get the default 90 days.
ALTER TABLE sessions ADD COLUMN expires_at TIMESTAMP;
UPDATE sessions SET expires_at = created_at + INTERVAL '90 days';
ALTER TABLE sessions ALTER COLUMN expires_at SET NOT NULL;
