-- wrk script of the load run (accessctl/bench/load.py): one path, signed in by a session cookie or an API
-- token, at most LOAD_MAX requests per thread (wrk's -d bounds the time). Every status other than
-- LOAD_OK counts as an error (wrk itself would count a 302 to the sign-in page as a success). done() prints
-- one JSON line: requests, seconds, requests per second, p50/p95/p99 in ms, statuses, socket errors.

local path = os.getenv("LOAD_PATH")
local ok_status = tonumber(os.getenv("LOAD_OK") or "200")
local max_requests = tonumber(os.getenv("LOAD_MAX") or "2000")
local threads = {}

wrk.method = "GET"
wrk.path = path
if os.getenv("LOAD_COOKIE") and os.getenv("LOAD_COOKIE") ~= "" then
  wrk.headers["Cookie"] = os.getenv("LOAD_COOKIE")
end
if os.getenv("LOAD_TOKEN") and os.getenv("LOAD_TOKEN") ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("LOAD_TOKEN")
  wrk.headers["Accept"] = "application/vnd.heroku+json; version=3"
end
if os.getenv("LOAD_RANGE") and os.getenv("LOAD_RANGE") ~= "" then
  wrk.headers["Range"] = os.getenv("LOAD_RANGE")
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  answered, good, bad, other = 0, 0, 0, ""
end

function response(status, headers, body)
  answered = answered + 1
  if status == ok_status then
    good = good + 1
  else
    bad = bad + 1
    if other == "" then other = tostring(status) end
  end
  if answered >= max_requests then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local good_total, bad_total, statuses = 0, 0, ""
  for _, thread in ipairs(threads) do
    good_total = good_total + thread:get("good")
    bad_total = bad_total + thread:get("bad")
    local seen = thread:get("other")
    if seen ~= "" then statuses = seen end
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"ok": %d, "bad_status": %d, "a_bad_status": "%s", "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    good_total, bad_total, statuses,
    errors.connect + errors.read + errors.write + errors.timeout))
end
