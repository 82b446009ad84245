-- wrk script: memory-service requests with the access tokens of many users (round robin per thread, as tokens.lua),
-- each with text no request sent before (no embedding cache hits): MODE=add posts a single memory
-- ({"content", "infer": false}: one embedding, one insert), MODE=search a hybrid search (limit 10).
local tokens = {}
local i = 0
local n = 0
local mode = os.getenv("MODE") or "add"
local verbs = { "plays", "collects", "cooks", "paints", "studies", "repairs", "grows", "builds", "sells", "visits" }
local things = { "the violin", "vintage cameras", "spicy ramen", "watercolour landscapes", "marine biology", "chess",
  "old motorbikes", "sourdough bread", "jazz records", "sailing boats", "bird songs", "street art" }
local when = { "every Monday", "since last spring", "with friends", "on rainy days", "at the weekend", "after work" }

-- a new prefix per thread and run: texts must never repeat across runs, or the adds are NOOPs (no embedding, no insert)
math.randomseed(os.time())
function setup(thread)
  thread:set("id", string.format("%d-%d", os.time(), math.random(1000000000)))
end

function init(args)
  for line in io.lines(os.getenv("TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  i = math.random(#tokens)
end

function request()
  i = i % #tokens + 1
  n = n + 1
  local text = string.format("Sam %s %s %s, note %s-%d", verbs[n % #verbs + 1], things[(n * 7) % #things + 1],
    when[(n * 3) % #when + 1], id, n)
  local path, body
  if mode == "search" then
    path = "/api/v1/memories/search"
    body = string.format('{"query":"who %s %s %s? %s-%d","limit":10}', verbs[n % #verbs + 1],
      things[(n * 5) % #things + 1], when[(n * 11) % #when + 1], id, n)
  else
    path = "/api/v1/memories"
    body = string.format('{"content":"%s","infer":false}', text)
  end
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. tokens[i],
    ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  io.write(string.format("percentiles p50=%.2fms p95=%.2fms p99=%.2fms\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
