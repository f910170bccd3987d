-- The refresh_token grant with rotation: every answer carries the next refresh token, which the
-- next request must use (the spent one would revoke the family). So each wrk thread runs ONE
-- connection holding its own chain, started from one of BENCH_REFRESH_TOKENS (comma-separated,
-- one per thread; run.sh logs in that many times). Counting as in report.lua.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local count = response
local report_setup = setup
local chains = {}
for token in string.gmatch(os.getenv("BENCH_REFRESH_TOKENS") or "", "[^,]+") do
   table.insert(chains, token)
end
local next_chain = 1

function setup(thread)
   report_setup(thread)
   thread:set("token", chains[next_chain] or error("fewer BENCH_REFRESH_TOKENS than threads"))
   next_chain = next_chain + 1
end

function request()
   return wrk.format("POST", "/token",
      { ["Content-Type"] = "application/x-www-form-urlencoded" },
      "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
   count(status, headers, body)
   local rotated = body:match('"refresh_token":"([^"]+)"')
   if rotated then
      token = rotated
   end
end
