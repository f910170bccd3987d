DROP TABLE revoked_access_tokens;
ALTER TABLE sessions DROP COLUMN client_id;
DROP TABLE clients;
