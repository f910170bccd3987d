-- POST /access-tokens with a JSON:API login document (the login scenario).
-- The credentials come from the environment so run.sh stays the one place that knows them.

local username = os.getenv("BENCH_LOGIN_EMAIL") or error("BENCH_LOGIN_EMAIL is not set")
local password = os.getenv("BENCH_LOGIN_PASSWORD") or error("BENCH_LOGIN_PASSWORD is not set")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/vnd.api+json"
wrk.headers["Accept"] = "application/vnd.api+json"
-- Both values are plain ASCII without quotes or backslashes (run.sh controls them), so
-- string.format builds valid JSON without a JSON library (wrk's Lua has none).
wrk.body = string.format(
   '{"data":{"type":"access-tokens","attributes":{"username":"%s","password":"%s"}}}',
   username, password)

-- Non-2xx counting and the BENCH_RESULT line, shared with the other scenarios.
-- Loaded relative to this file, so wrk can be started from any directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
