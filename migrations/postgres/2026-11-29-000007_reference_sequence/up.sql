-- Customer reference numbers come from a sequence: a registration no longer updates one counter
-- row that every other registration waits for (and that serializable isolation or a
-- distributed PostgreSQL would make every concurrent registration conflict on). The sequence
-- continues where the counter stopped; the counter row goes, so nothing can draw from both.
CREATE SEQUENCE customer_reference_seq AS BIGINT MINVALUE 1;
SELECT setval(
    'customer_reference_seq',
    COALESCE((SELECT value FROM sequences WHERE name = 'customer_reference'), 0) + 1,
    false
);
DELETE FROM sequences WHERE name = 'customer_reference';
