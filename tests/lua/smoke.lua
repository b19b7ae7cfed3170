-- Smoke test of the Lua binding generated from bindings/genops.i: load the module,
-- record one operation span into a memory exporter, read it back. The same scenario
-- as tests/ruby/smoke_test.rb and tests/python/test_bindings_smoke.py.
--
--   LUA_CPATH='<build>/lua/?.so' lua5.4 tests/lua/smoke.lua
local g = require("genops_native")

local failures = 0
local function check(cond, what)
  if not cond then
    failures = failures + 1
    io.stderr:write("FAIL: " .. what .. "\n")
  end
end

local pipeline = g.genops_pipeline_new({ service_name = "lua-smoke" })
local exporter = g.genops_memory_exporter_new()
g.genops_pipeline_add_exporter(pipeline, exporter)

local span = g.genops_operation_start(pipeline, "chat", nil, nil, nil,
                                      { team = "ml", customer_id = "c-1" })
check(math.type(span) == "integer", "span handles are integers")
g.genops_span_record_cost(span, { cost = 0.05, provider = "openai",
                                  tokens_input = 100, tokens_output = 50 })
g.genops_span_end(span)
g.genops_pipeline_flush(pipeline, 5000)

check(g.genops_memory_exporter_count(exporter) == 1, "one span exported")
local data = g.genops_memory_exporter_get(exporter, 0)
check(g.genops_span_data_name(data) == "chat", "span name")
local attrs = {}
for i = 0, g.genops_span_data_attribute_count(data) - 1 do
  local _, key, value = g.genops_span_data_attribute(data, i)
  attrs[key] = value
end
check(attrs["genops.team"] == "ml", "genops.team")
check(attrs["genops.customer_id"] == "c-1", "genops.customer_id")
check(attrs["genops.operation.type"] == "ai.inference", "genops.operation.type")
check(math.abs(attrs["genops.cost.total"] - 0.05) < 1e-12, "genops.cost.total")
check(attrs["genops.cost.currency"] == "USD", "genops.cost.currency")
check(attrs["genops.tokens.total"] == 150, "genops.tokens.total")
check(g.genops_pipeline_stats(pipeline).spans_exported == 1, "stats")

local ok, err = pcall(g.genops_pipeline_new, { bogus = 1 })
check(not ok and err:find("EINVAL") and err:find("bogus"), "unknown option raises")
ok, err = pcall(g.genops_span_end, span)
check(not ok and err:find("ESTALE"), "a stale span raises")

g.genops_pipeline_free(pipeline)
if failures > 0 then
  os.exit(1)
end
print("lua smoke: ok")
