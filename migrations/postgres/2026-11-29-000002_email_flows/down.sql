DROP TABLE password_reset_requests;
DROP TABLE outbox;
DROP INDEX customers_restore_key_hash;
DROP INDEX customers_registration_key_hash;
ALTER TABLE customers DROP COLUMN restore_key_expires_at;
ALTER TABLE customers DROP COLUMN restore_key_hash;
ALTER TABLE customers DROP COLUMN registration_key_hash;
