-- OAuth 2.0 clients (CONTRACT §3 item 20). The storefront client is public (no secret);
-- partner clients are confidential: their secret (256 random bits) is stored as a SHA-256 hash
-- and must come by the method they were registered with. Grants and scopes are
-- space-separated lists.
CREATE TABLE clients (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT,
    auth_method TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The client a login session (a refresh-token family) was issued to: refresh tokens are bound
-- to it. Sessions that exist already belong to the storefront client.
ALTER TABLE sessions ADD COLUMN client_id TEXT NOT NULL DEFAULT 'frontend';

-- Access tokens revoked before their expiry that no session covers (client_credentials
-- tokens): a deny-list by `jti`, each row kept until the token would have expired anyway.
CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
