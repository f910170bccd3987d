-- A customer's address book (reference §2.6). Ids on the wire are random UUIDs (CONTRACT §3
-- item 12); personal fields are nullable so that anonymization can wipe them (§3.4).
CREATE TABLE addresses (
    id SERIAL PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    salutation TEXT,
    first_name TEXT,
    last_name TEXT,
    address1 TEXT,
    address2 TEXT,
    address3 TEXT,
    zip_code TEXT,
    city TEXT,
    iso2_code TEXT NOT NULL,
    company TEXT,
    phone TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    anonymized_at TIMESTAMP
);
CREATE INDEX addresses_customer_id ON addresses (customer_id);

-- The defaults live on the customer row (reference §3.3): the flags on the wire are computed
-- from them, and one row lock keeps them consistent under concurrent requests.
ALTER TABLE customers ADD COLUMN default_billing_address_id INTEGER;
ALTER TABLE customers ADD COLUMN default_shipping_address_id INTEGER;
