-- wrk script for bench/load.sh: POSTs one GraphQL request again and again
-- and reports, in one machine-readable line, what load.sh tabulates.
--
--   WRK_BODY_FILE=body.json [WRK_TOKEN=zt_...] wrk -t2 -c10 -d15s -s bench/page.lua URL
--
-- WRK_BODY_FILE holds the JSON body ({"query": ...}); WRK_TOKEN, if set, is
-- sent as a bearer token. A response that is not HTTP 200, or whose body
-- carries an "errors" entry, counts as bad (wrk itself counts only non-2xx).

local function read_all(path)
  local file = assert(io.open(path, "rb"), "cannot read WRK_BODY_FILE " .. tostring(path))
  local text = file:read("*a")
  file:close()
  return text
end

wrk.method = "POST"
wrk.body = read_all(os.getenv("WRK_BODY_FILE"))
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local token = os.getenv("WRK_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- Per-thread tallies, gathered in done() through the thread handles.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

responses, bad, bytes, last_bad = 0, 0, 0, ""
function response(status, headers, body)
  responses = responses + 1
  bytes = bytes + #body
  -- Both servers put "errors" at the top level only when something failed;
  -- no field of the page is called that.
  if status ~= 200 or body:find('"errors"', 1, true) then
    bad = bad + 1
    last_bad = status .. " " .. body:sub(1, 300)
  end
end

function done(summary, latency, requests)
  local total, wrong, size, sample = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("responses")
    wrong = wrong + thread:get("bad")
    size = size + thread:get("bytes")
    local last = thread:get("last_bad")
    if last ~= "" then sample = last end
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.2f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f "
      .. "mean_bytes=%.0f bad=%d socket_errors=%d timeouts=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    total > 0 and size / total or 0, wrong,
    e.connect + e.read + e.write, e.timeout))
  if sample ~= "" then
    io.write("BAD " .. sample:gsub("\n", " ") .. "\n")
  end
end
