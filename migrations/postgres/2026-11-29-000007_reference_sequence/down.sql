INSERT INTO sequences (name, value)
SELECT 'customer_reference', CASE WHEN is_called THEN last_value ELSE last_value - 1 END
FROM customer_reference_seq;
DROP SEQUENCE customer_reference_seq;
