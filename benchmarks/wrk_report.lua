-- Prints one JSON line with throughput and latency percentiles (microseconds) for run.py.
-- Extra headers (a session cookie, a token) come from the WRK_HEADERS environment variable.
local extra = os.getenv("WRK_HEADERS")
if extra and #extra > 0 then
  for pair in string.gmatch(extra, "[^\n]+") do
    local name, value = string.match(pair, "^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_timeout": %d, "non_2xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.timeout, summary.errors.status))
end
