-- Lua: genops.track_enhanced + span:record_cost per operation, beside the do-nothing
-- floor (the same call shape: a table of attributes, a function, a method call with a
-- table; the floor keeps the last tables, so that LuaJIT cannot sink them away) and
-- the flat genops_native calls of one operation. Wall-clock time (lua-socket's
-- gettime), the best of ROUNDS rounds, taken in turn. Prints one Markdown row each
-- (benchmarks/README.md, "Ruby and Lua"). With a third argument (floor, flat or
-- genops), only that one, once, for benchmarks/callgrind_per_op.py.
--
--   LUA_PATH='bindings/lua/?.lua;;' LUA_CPATH='build/python/lua/<lua>/?.so;;' \
--     <lua> benchmarks/lua/bench_track.lua [ops] [rounds] [floor|flat|genops]
local genops = require("genops")
local N = require("genops_native")
local now = require("socket").gettime
local OPS = tonumber(arg[1] or "100000")
local ROUNDS = tonumber(arg[2] or "5")
local LUA = type(jit) == "table" and jit.version or _VERSION

local kept = {}
local floor_span = { record_cost = function(_, kv) kept.kv = kv end }
local function floor_track(attrs, fn)
  kept.attrs = attrs
  return fn(floor_span)
end

local function body(span)
  span:record_cost { cost = 0.02, provider = "openai", model = "gpt-4o",
                     tokens_input = 100, tokens_output = 50 }
end
-- The same operation as the flat calls alone: what the Lua layer adds on top.
local flat_pipeline
local flat_span = {}
function flat_span:record_cost(kv) return N.genops_span_record_cost(self.handle, kv) end
local function flat_track(attrs, fn)
  local h = N.genops_operation_start(flat_pipeline, attrs.operation_name, nil, nil, nil,
                                     { team = attrs.team, customer_id = attrs.customer_id })
  flat_span.handle = h
  fn(flat_span)
  N.genops_span_set_status(h, N.GENOPS_SPAN_STATUS_OK, nil)
  N.genops_span_end(h)
end

local function measure(track)
  local t = now()
  for _ = 1, OPS do
    track({ operation_name = "chat", team = "ml", customer_id = "c-1" }, body)
  end
  return (now() - t) * 1e9 / OPS
end

-- Nothing listens on 127.0.0.1:9: spans are queued, then dropped, as a slow collector
-- would make them (the export thread's log lines go to stderr).
genops.init { service_name = "bench", exporter_type = "otlp", otlp_endpoint = "http://127.0.0.1:9" }
flat_pipeline = N.genops_pipeline_new({ service_name = "bench-flat" })
N.genops_pipeline_add_exporter(flat_pipeline, N.genops_exporter_for_endpoint({ endpoint = "http://127.0.0.1:9" }))
local tracks = { floor = floor_track, flat = flat_track, genops = genops.track_enhanced }
local best = {}
if arg[3] then
  measure(tracks[arg[3]])
  ROUNDS = 0
end
for _ = 1, ROUNDS do
  for name, track in pairs(tracks) do
    local ns = measure(track)
    best[name] = math.min(best[name] or math.huge, ns)
  end
end
if arg[3] then os.exit(0) end
print(string.format("| %s, flat calls | %d | %.0f | %.0f | %.2fx |", LUA, OPS, best.floor, best.flat,
                    best.flat / best.floor))
print(string.format("| %s | %d | %.0f | %.0f | %.2fx |", LUA, OPS, best.floor, best.genops,
                    best.genops / best.floor))
pcall(N.genops_pipeline_shutdown, flat_pipeline, 0)
pcall(genops.shutdown, 0)
