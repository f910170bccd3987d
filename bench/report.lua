-- Shared by every wrk scenario (run.sh passes it with -s; the other scripts load it with dofile).
--
-- Two jobs:
--  * count every response whose status is not 2xx. wrk's own "Non-2xx or 3xx" counter only
--    counts status > 399, so a redirect would slip through; the `response` hook sees them all.
--  * print one machine-readable line at the end, `BENCH_RESULT {json}`, so the shell scripts
--    never parse wrk's human-readable output (whose latency units change between us, ms and s).
--
-- Cost: with a `response` hook wrk hands every response to Lua, which takes a few per cent off
-- the throughput on a 2-core machine (wrk and the server share the cores). The framework ceiling
-- (bench-ceiling's /noop) is driven through this same hook, so the ratios compare like with like.
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

-- The non-2xx count and "status":count pairs of every thread, as JSON members.
function collect_statuses()
   local total = 0
   local by_status = {}
   for _, thread in ipairs(threads) do
      total = total + thread:get("non2xx")
      for status, count in pairs(thread:get("statuses")) do
         by_status[status] = (by_status[status] or 0) + count
      end
   end
   local pairs_json = {}
   for status, count in pairs(by_status) do
      table.insert(pairs_json, string.format('"%d":%d', status, count))
   end
   table.sort(pairs_json)
   return total, "{" .. table.concat(pairs_json, ",") .. "}"
end

-- The BENCH_RESULT line; `extra` is more JSON members ('"name":value,...') or nil.
function write_result(summary, latency, extra)
   local non2xx_total, statuses_json = collect_statuses()
   local e = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,' ..
      '"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"statuses":%s,"socket_errors":%d,"timeouts":%d%s}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      non2xx_total, statuses_json, e.connect + e.read + e.write, e.timeout,
      extra and ("," .. extra) or ""))
end

function done(summary, latency, requests)
   write_result(summary, latency, nil)
end
