-- POST /customers with a new email on every request (the registration scenario): the email is
-- bench-<BENCH_RUN_ID>-<thread>-<counter>@example.com, so no two requests of a run, nor two
-- runs on a reused database, register the same address. Counting as in report.lua.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local run_id = os.getenv("BENCH_RUN_ID") or error("BENCH_RUN_ID is not set")
local password = os.getenv("BENCH_LOGIN_PASSWORD") or error("BENCH_LOGIN_PASSWORD is not set")
local report_setup = setup
local next_thread = 1

function setup(thread)
   report_setup(thread)
   thread:set("thread_id", next_thread)
   next_thread = next_thread + 1
end

local counter = 0

function request()
   counter = counter + 1
   local email = string.format("bench-%s-%d-%d@example.com", run_id, thread_id, counter)
   -- Every value is plain ASCII without quotes or backslashes (run.sh controls them), so
   -- string.format builds valid JSON without a JSON library (wrk's Lua has none).
   local body = string.format(
      '{"data":{"type":"customers","attributes":{"email":"%s","gender":"Female",' ..
      '"salutation":"Mrs","firstName":"Bench","lastName":"Register","password":"%s",' ..
      '"confirmPassword":"%s","acceptedTerms":true}}}',
      email, password, password)
   return wrk.format("POST", "/customers",
      { ["Content-Type"] = "application/vnd.api+json", ["Accept"] = "application/vnd.api+json" },
      body)
end
