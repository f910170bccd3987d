-- POST a form body (BENCH_FORM_BODY) to the target path: the client_credentials grant and
-- introspection scenarios. Authorization comes from wrk's -H. Counting as in report.lua.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = os.getenv("BENCH_FORM_BODY") or error("BENCH_FORM_BODY is not set")

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
