-- Smoke test of the Lua binding generated from bindings/genops.i: load the module,
-- record one operation span into a memory exporter, read it back. The same scenario
-- as tests/ruby/smoke_test.rb and tests/python/test_bindings_smoke.py.
--
--   LUA_PATH='tests/lua/?.lua' LUA_CPATH='<build>/lua/?.so' lua5.4 tests/lua/smoke.lua
local g = require("genops_native")

local check = require("check")

local pipeline = g.genops_pipeline_new({ service_name = "lua-smoke" })
local exporter = g.genops_memory_exporter_new()
g.genops_pipeline_add_exporter(pipeline, exporter)

local span = g.genops_operation_start(pipeline, "chat", nil, nil, nil,
                                      { team = "ml", customer_id = "c-1" })
-- Integers on 5.3+; on 5.1 and LuaJIT numbers (below 2^53) or 8-byte strings.
check(math.type and math.type(span) == "integer" or type(span) == "number",
      "span handles are integers")
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
if not math.type then -- 5.1 / LuaJIT: a handle past 2^53 is an 8-byte string
  ok, err = pcall(g.genops_span_end, string.rep("\255", 8))
  check(not ok and err:find("ESTALE"), "an 8-byte string handle is a span handle")
  ok, err = pcall(g.genops_span_end, 1.5)
  check(not ok and not err:find("ESTALE"), "a fraction is not a span handle")
end

-- The shared attribute-list builder grows past its inline storage (24 items, 512
-- bytes) onto the heap: every value comes back.
g.genops_memory_exporter_clear(exporter)
local big, words, metadata = {}, {}, {}
for i = 0, 59 do big["k" .. i] = string.rep("v", i * 37) end
for i = 1, 600 do words[i] = "w" .. i end
for i = 0, 39 do metadata["key" .. i] = i end
big.words = words
span = g.genops_operation_start(pipeline, "big", nil, nil, nil, big)
g.genops_span_record_cost(span, { cost = 1.0, metadata = metadata })
g.genops_span_end(span)
g.genops_pipeline_flush(pipeline, 5000)
data = g.genops_memory_exporter_get(exporter, 0)
local all_back = true
for i = 0, 59 do
  local _, v = g.genops_span_data_find(data, "genops.k" .. i)
  all_back = all_back and v == string.rep("v", i * 37)
end
for i = 0, 39 do -- within the 128-attribute limit, with the recorders' own
  local _, v = g.genops_span_data_find(data, "genops.cost.metadata.key" .. i)
  all_back = all_back and v == i
end
local _, got_words = g.genops_span_data_find(data, "genops.words")
all_back = all_back and #got_words == 600 and got_words[600] == "w600"
check(all_back, "attribute lists grow past their inline storage")

g.genops_pipeline_free(pipeline)
check.finish("lua smoke")
