-- wrk script: every request carries the access token of one of many users (round robin per thread), so the
-- gateway's per-user rate limits see realistic per-user rates. TOKENS names a file with one token per line.
local tokens = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  i = math.random(#tokens)
end

function request()
  i = i % #tokens + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[i] })
end

local codes = {}
function response(status)
  codes[status] = (codes[status] or 0) + 1
end
