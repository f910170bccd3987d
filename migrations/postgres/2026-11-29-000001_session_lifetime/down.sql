ALTER TABLE sessions DROP COLUMN expires_at;
