-- Lua: genops.track_enhanced + span:record_cost per operation, beside the do-nothing
-- floor (the same call shape: a table of attributes, a function, a method call with a
-- table), and the flat genops_native calls of one operation. os.clock is the process's
-- CPU time, export thread included. Prints one Markdown row each (benchmarks/README.md, "Ruby and Lua").
--
--   LUA_PATH='bindings/lua/?.lua' LUA_CPATH='build/python/lua/?.so' lua5.4 benchmarks/lua/bench_track.lua [ops]
local genops = require("genops")
local OPS = tonumber(arg[1] or "200000")

local floor_span = { record_cost = function(_, kv) return kv end }
local function floor_track(attrs, fn) return fn(floor_span) end

local function body(span)
  span:record_cost { cost = 0.02, provider = "openai", model = "gpt-4o",
                     tokens_input = 100, tokens_output = 50 }
end
-- The same operation as the flat calls alone: what the Lua layer adds on top.
local flat_pipeline
local N = require("genops_native")
local function flat_track(attrs, fn)
  local h = N.genops_operation_start(flat_pipeline, attrs.operation_name, nil, nil, nil,
                                     { team = attrs.team, customer_id = attrs.customer_id })
  fn({ record_cost = function(_, kv) return N.genops_span_record_cost(h, kv) end })
  N.genops_span_set_status(h, N.GENOPS_SPAN_STATUS_OK, nil)
  N.genops_span_end(h)
end

local function measure(track)
  local t = os.clock()
  for _ = 1, OPS do
    track({ operation_name = "chat", team = "ml", customer_id = "c-1" }, body)
  end
  return (os.clock() - t) * 1e9 / OPS
end

genops.init { service_name = "bench", exporter_type = "otlp", otlp_endpoint = "http://127.0.0.1:9" }
flat_pipeline = N.genops_pipeline_new({ service_name = "bench-flat" })
N.genops_pipeline_add_exporter(flat_pipeline, N.genops_exporter_for_endpoint({ endpoint = "http://127.0.0.1:9" }))
measure(floor_track); measure(genops.track_enhanced) -- warm-up
local f = measure(floor_track)
local flat = measure(flat_track)
local g = measure(genops.track_enhanced)
print(string.format("| %s, flat calls | %d | %.0f | %.0f | %.2fx |", _VERSION, OPS, f, flat, flat / f))
print(string.format("| %s | %d | %.0f | %.0f | %.2fx |", _VERSION, OPS, f, g, g / f))
pcall(N.genops_pipeline_shutdown, flat_pipeline, 0)
pcall(genops.shutdown, 0) -- nothing listens on 127.0.0.1:9: the spans never arrive
