-- Shared by every wrk scenario (run.sh passes it with -s; login.lua loads it too).
--
-- Two jobs:
--  * count every response whose status is not 2xx. wrk's own "Non-2xx or 3xx" counter only
--    counts status > 399, so a redirect would slip through; the `response` hook sees them all.
--  * print one machine-readable line at the end, so run.sh never has to parse wrk's
--    human-readable output (whose latency units change between us, ms and s).
--
-- Cost: with a `response` hook wrk hands every response to Lua, which takes a few per cent off
-- the /health figure on a 2-core machine (wrk and the server share the cores). Exact counts are
-- worth that; the figure is a baseline for comparison, not a record attempt.
--
-- Each wrk thread runs its own Lua state, so the counters live per thread and `done` (which runs
-- in the main state) collects them through the thread objects kept in `setup`.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   non2xx = 0
   statuses = {}
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      statuses[status] = (statuses[status] or 0) + 1
   end
end

function done(summary, latency, requests)
   local non2xx_total = 0
   local by_status = {}
   for _, thread in ipairs(threads) do
      non2xx_total = non2xx_total + thread:get("non2xx")
      for status, count in pairs(thread:get("statuses")) do
         by_status[status] = (by_status[status] or 0) + count
      end
   end
   local codes = {}
   for status, count in pairs(by_status) do
      table.insert(codes, string.format("%d:%d", status, count))
   end
   local e = summary.errors
   local seconds = summary.duration / 1e6
   -- One line, key=value pairs; run.sh greps for the BENCH_RESULT prefix.
   io.write(string.format(
      "BENCH_RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d statuses=%s socket_errors=%d timeouts=%d\n",
      summary.requests,
      summary.requests / seconds,
      latency:percentile(50) / 1000,
      latency:percentile(99) / 1000,
      non2xx_total,
      #codes > 0 and table.concat(codes, ",") or "-",
      e.connect + e.read + e.write,
      e.timeout))
end
