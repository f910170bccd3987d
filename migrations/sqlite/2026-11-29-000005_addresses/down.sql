ALTER TABLE customers DROP COLUMN default_shipping_address_id;
ALTER TABLE customers DROP COLUMN default_billing_address_id;
DROP TABLE addresses;
