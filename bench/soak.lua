-- make soak's load (bench/soak.sh runs it twice at once: a storefront mix and logins).
--
-- Every wrk thread runs ONE connection (soak.sh passes as many connections as threads), so a
-- thread's requests go one after the other and it can carry state: its tokens, a refresh token
-- that rotates on every use, the address it created last.
--
-- Environment:
--   SOAK_MODE      "storefront": per request one of (weights from SOAK_MIX)
--                    read     GET /customers/{ref}
--                    include  GET /customers/{ref}?include=addresses
--                    refresh  POST /token grant_type=refresh_token (rotates the chain)
--                    patch    PATCH /customers/{ref} (a new firstName)
--                    address  POST /customers/{ref}/addresses, or DELETE of the one it made
--                  and a login (POST /access-tokens) when the thread holds no token;
--                  "login": POST /access-tokens, round-robin over the accounts.
--   SOAK_ACCOUNTS  "ref|email,ref|email,...": thread i (from 1) works as account i (storefront),
--                  or starts at account i (login)
--   SOAK_PASSWORD  the accounts' password
--   SOAK_PORTS     "portA,portB": thread i connects to 127.0.0.1:port[(i + SOAK_ROUND) % 2 + 1],
--                  so each round moves every thread to the other instance: the tokens a thread
--                  got from one instance are used on the other in the next round
--   SOAK_ROUND     the round number (an integer)
--   SOAK_STATE     file carrying each thread's tokens, address and pacing from one round to the
--                  next (read in setup, written in done); soak.sh writes the first one
--   SOAK_RATE      requests per second per thread; 0 or unset: as fast as the server answers
--   SOAK_MIX       storefront weights (default "read=60,include=15,refresh=10,patch=8,address=7")
--
-- Pacing: wrk has no rate limit, but calls delay() before each request and waits that many ms.
-- Each thread measures the rate it achieved over 2-second windows aligned to os.time() ticks and
-- corrects its delay towards 1000/SOAK_RATE ms per request (latency included), carrying the
-- fractional millisecond over so that integer delays average out to the exact value.
--
-- Counting as in report.lua; the BENCH_RESULT line adds "kinds" (requests per kind) and
-- "failed" ("kind:status" -> count).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local mode = os.getenv("SOAK_MODE") or error("SOAK_MODE is not set")
local password = os.getenv("SOAK_PASSWORD") or error("SOAK_PASSWORD is not set")
local state_file = os.getenv("SOAK_STATE") or error("SOAK_STATE is not set")
local round = tonumber(os.getenv("SOAK_ROUND") or "0")
local rate = tonumber(os.getenv("SOAK_RATE") or "0")
local accounts = {}
for ref, email in string.gmatch(os.getenv("SOAK_ACCOUNTS") or "", "([^|,]+)|([^,]+)") do
   table.insert(accounts, { ref = ref, email = email })
end
local ports = {}
for port in string.gmatch(os.getenv("SOAK_PORTS") or "", "[^,]+") do
   table.insert(ports, port)
end

-- ---- main state: setup and done --------------------------------------------------------------

local report_setup = setup
local all_threads = {}
local saved = nil

local function load_state()
   local state = {}
   local f = io.open(state_file, "r")
   if f then
      for line in f:lines() do
         local idx, access, refresh, address, pause =
            line:match("^(%d+) (%S+) (%S+) (%S+) (%S+)$")
         if idx then
            state[tonumber(idx)] = { access = access, refresh = refresh, address = address,
                                     pause = tonumber(pause) }
         end
      end
      f:close()
   end
   return state
end

function setup(thread)
   report_setup(thread)
   if #accounts == 0 then error("SOAK_ACCOUNTS is empty") end
   if #ports == 0 then error("SOAK_PORTS is empty") end
   saved = saved or load_state()
   table.insert(all_threads, thread)
   local idx = #all_threads
   local port = ports[(idx + round) % #ports + 1]
   thread.addr = wrk.lookup("127.0.0.1", port)[1]
   local account = accounts[(idx - 1) % #accounts + 1]
   local s = saved[idx] or {}
   thread:set("idx", idx)
   thread:set("ref", account.ref)
   thread:set("email", account.email)
   thread:set("access", s.access or "-")
   thread:set("refresh", s.refresh or "-")
   thread:set("address", s.address or "-")
   thread:set("pause", s.pause or -1)
end

local function json_counts(get_name)
   local totals = {}
   for _, thread in ipairs(all_threads) do
      for key, count in pairs(thread:get(get_name)) do
         totals[key] = (totals[key] or 0) + count
      end
   end
   local members = {}
   for key, count in pairs(totals) do
      table.insert(members, string.format('"%s":%d', key, count))
   end
   table.sort(members)
   return "{" .. table.concat(members, ",") .. "}"
end

function done(summary, latency, requests)
   local f = io.open(state_file, "w") or error("cannot write " .. state_file)
   for _, thread in ipairs(all_threads) do
      local access, refresh, address = thread:get("access"), thread:get("refresh"),
         thread:get("address")
      local pending = thread:get("pending")
      -- A request still in flight when wrk stopped may or may not have reached the server:
      -- a refresh may have spent its token, a POST made an address, a DELETE removed it.
      if pending == "refresh" then refresh = "-" end
      if pending == "address" then address = "-" end
      f:write(string.format("%d %s %s %s %.3f\n", thread:get("idx"), access, refresh, address,
         thread:get("pause")))
   end
   f:close()
   write_result(summary, latency,
      string.format('"kinds":%s,"failed":%s', json_counts("kinds"), json_counts("failed")))
end

-- ---- thread states: request, response, delay -------------------------------------------------

local mix = {}
local mix_total = 0

function init(args)
   non2xx = 0
   statuses = {}
   kinds = {}
   failed = {}
   pending = nil
   counter = 0
   local spec = os.getenv("SOAK_MIX") or "read=60,include=15,refresh=10,patch=8,address=7"
   for name, weight in string.gmatch(spec, "(%a+)=(%d+)") do
      mix_total = mix_total + tonumber(weight)
      table.insert(mix, { name = name, upto = mix_total })
   end
   if mix_total == 0 then error("SOAK_MIX has no weights") end
   math.randomseed(os.time() * 1000 + idx)
   if pause < 0 then
      pause = rate > 0 and 1000 / rate * 0.8 or 0
   end
end

local json_api = "application/vnd.api+json"

local function login_request(email)
   pending = "login"
   return wrk.format("POST", "/access-tokens", { ["Content-Type"] = json_api, ["Accept"] = json_api },
      string.format('{"data":{"type":"access-tokens","attributes":{"username":"%s","password":"%s"}}}',
         email, password))
end

local function pick()
   local r = math.random(mix_total)
   for _, entry in ipairs(mix) do
      if r <= entry.upto then return entry.name end
   end
   return mix[#mix].name
end

local address_body = '{"data":{"type":"addresses","attributes":{"salutation":"Mr",' ..
   '"firstName":"Soak","lastName":"Test","address1":"Am Soak %d","address2":"1",' ..
   '"zipCode":"10115","city":"Berlin","iso2Code":"DE","isDefaultShipping":false,' ..
   '"isDefaultBilling":false}}}'

function request()
   counter = counter + 1
   if mode == "login" then
      local account = accounts[(idx + counter) % #accounts + 1]
      return login_request(account.email)
   end
   if access == "-" then
      return login_request(email)
   end
   local kind = pick()
   if kind == "refresh" and refresh == "-" then
      return login_request(email)
   end
   pending = kind
   local bearer = { ["Authorization"] = "Bearer " .. access, ["Accept"] = json_api }
   if kind == "read" then
      return wrk.format("GET", "/customers/" .. ref, bearer)
   elseif kind == "include" then
      return wrk.format("GET", "/customers/" .. ref .. "?include=addresses", bearer)
   elseif kind == "refresh" then
      return wrk.format("POST", "/token", { ["Content-Type"] = "application/x-www-form-urlencoded" },
         "grant_type=refresh_token&refresh_token=" .. refresh)
   elseif kind == "patch" then
      bearer["Content-Type"] = json_api
      return wrk.format("PATCH", "/customers/" .. ref, bearer, string.format(
         '{"data":{"type":"customers","id":"%s","attributes":{"firstName":"Soak %d"}}}',
         ref, counter % 1000))
   elseif kind == "address" then
      if address ~= "-" then
         return wrk.format("DELETE", "/customers/" .. ref .. "/addresses/" .. address, bearer)
      end
      bearer["Content-Type"] = json_api
      return wrk.format("POST", "/customers/" .. ref .. "/addresses", bearer,
         string.format(address_body, counter))
   end
   error("unknown kind in SOAK_MIX: " .. kind)
end

local count = response

function response(status, headers, body)
   count(status, headers, body)
   local kind = pending or "?"
   pending = nil
   kinds[kind] = (kinds[kind] or 0) + 1
   local ok = status >= 200 and status <= 299
   if not ok then
      local key = kind .. ":" .. status
      failed[key] = (failed[key] or 0) + 1
   end
   if kind == "login" then
      if ok then
         access = body:match('"accessToken":"([^"]+)"') or "-"
         refresh = body:match('"refreshToken":"([^"]+)"') or "-"
      end
   elseif kind == "refresh" then
      -- A refused refresh token is spent either way; the next refresh logs in instead.
      refresh = ok and body:match('"refresh_token":"([^"]+)"') or "-"
      if ok then access = body:match('"access_token":"([^"]+)"') or access end
   elseif kind == "address" then
      if ok and address == "-" then
         address = body:match('"type":"addresses","id":"([^"]+)"') or "-"
      else
         address = "-"
      end
   elseif status == 401 then
      access = "-"
   end
end

-- Pacing (see the header).
local WINDOW = 2
local GAIN = 0.7
local last_second = nil
local window_start = nil
local window_count = 0
local carry = 0

function delay()
   if rate <= 0 then return 0 end
   local now = os.time()
   if last_second ~= nil and now ~= last_second then
      if window_start == nil then
         window_start, window_count = now, 0
      elseif now - window_start >= WINDOW then
         local achieved = window_count / (now - window_start)
         if achieved > 0 then
            pause = math.max(0, pause + GAIN * (1000 / rate - 1000 / achieved))
         end
         window_start, window_count = now, 0
      end
   end
   last_second = now
   if window_start ~= nil then window_count = window_count + 1 end
   local wanted = pause + carry
   local whole = math.floor(wanted)
   carry = wanted - whole
   return whole
end
