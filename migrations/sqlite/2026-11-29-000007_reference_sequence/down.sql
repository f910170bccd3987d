-- SQLite has no sequences and needs none: one writer at a time, so the counter row in
-- `sequences` is no hot spot. Kept in step with the PostgreSQL migration of the same name.
SELECT 1;
