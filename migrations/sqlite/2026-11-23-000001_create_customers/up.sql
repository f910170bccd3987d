CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    customer_reference TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    -- lower-cased email: uniqueness is case-insensitive on both backends (CONTRACT §3 item 14)
    email_normalized TEXT NOT NULL UNIQUE,
    salutation TEXT,
    first_name TEXT,
    last_name TEXT,
    gender TEXT,
    date_of_birth DATE,
    password_hash TEXT,
    registered_at TIMESTAMP,
    anonymized_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sequences (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO sequences (name, value) VALUES ('customer_reference', 0);

-- A login session: the family of rotated refresh tokens and the access tokens issued with them.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_customer_id ON sessions (customer_id);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);
