-- wrk script: method and body from the environment, one JSON line with the figures at the end.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'JSON{"rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "requests": %d, "errors": %d, "bad_status": %d}\n',
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000.0,
    latency:percentile(95) / 1000.0,
    summary.requests, errors, summary.errors.status))
end
