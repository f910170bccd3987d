-- Single-use keys, stored as SHA-256 hashes only (CONTRACT §3 items 10 and 15): the registration
-- confirmation key, and the password restore key with its expiry. NULLs never collide in a
-- unique index, on either backend.
ALTER TABLE customers ADD COLUMN registration_key_hash TEXT;
ALTER TABLE customers ADD COLUMN restore_key_hash TEXT;
ALTER TABLE customers ADD COLUMN restore_key_expires_at TIMESTAMP;
CREATE UNIQUE INDEX customers_registration_key_hash ON customers (registration_key_hash);
CREATE UNIQUE INDEX customers_restore_key_hash ON customers (restore_key_hash);

-- Emails to deliver, written in the transaction of the change that causes them. A worker
-- claims due rows under a lease, sends, and marks them sent (bodies wiped) or failed.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    sent_at TIMESTAMP,
    failed_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Password reset requests by email, known or not: the request only records this row (the same
-- work for every email); the worker looks the account up, makes the key and queues the email.
-- One row per email doubles as the throttle.
CREATE TABLE password_reset_requests (
    email_normalized TEXT PRIMARY KEY NOT NULL,
    reason TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP
);
CREATE INDEX password_reset_requests_pending ON password_reset_requests (requested_at)
    WHERE processed_at IS NULL;
