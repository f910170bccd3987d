-- Customer groups (partner API): every customer belongs to at most one; new customers get the
-- default group. `key` is the id on the wire (a random UUID).
CREATE TABLE customer_groups (
    id SERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- What partners see and change: the group, a block, marketing consent, the last login; and
-- lower-cased names, so that a case-insensitive prefix search is an index range scan on both
-- backends (email_normalized is lower-cased already).
ALTER TABLE customers ADD COLUMN group_id INTEGER REFERENCES customer_groups (id);
ALTER TABLE customers ADD COLUMN blocked_at TIMESTAMP;
ALTER TABLE customers ADD COLUMN accepted_marketing BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE customers ADD COLUMN last_login_at TIMESTAMP;
-- Byte order ("C") for the searched columns: a prefix is then an index range (`>= q AND < q ||
-- U+10FFFF`) whatever the database's collation, as it is in SQLite's BINARY collation.
ALTER TABLE customers ADD COLUMN first_name_normalized TEXT COLLATE "C";
ALTER TABLE customers ADD COLUMN last_name_normalized TEXT COLLATE "C";
ALTER TABLE customers ALTER COLUMN email_normalized TYPE TEXT COLLATE "C";
UPDATE customers SET first_name_normalized = lower(first_name), last_name_normalized = lower(last_name);

-- Paging, sorting and the sync filter read in index order; ties break by id.
CREATE INDEX customers_created_at ON customers (created_at, id);
CREATE INDEX customers_updated_at ON customers (updated_at, id);
CREATE INDEX customers_first_name_normalized ON customers (first_name_normalized);
CREATE INDEX customers_last_name_normalized ON customers (last_name_normalized, id);
CREATE INDEX customers_group_id ON customers (group_id);
