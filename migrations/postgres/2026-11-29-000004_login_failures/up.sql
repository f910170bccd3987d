-- Failed attempts per key (an account's normalized email, a client address, a client id),
-- counted in the database so that the limit holds across instances (CONTRACT §3 item 16).
-- A key with `max failures` within its window is blocked until `blocked_until`.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP
);
