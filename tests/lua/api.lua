-- The idiomatic Lua API (bindings/lua/genops.lua) against the memory exporter:
-- track_enhanced, recorders, errors re-raised with their traceback, context per
-- coroutine, bad input. Plain Lua like smoke.lua (busted is not installed here).
--
--   LUA_PATH='bindings/lua/?.lua;tests/lua/?.lua' LUA_CPATH='<build>/lua/?.so' lua5.4 tests/lua/api.lua
local genops = require("genops")

local check = require("check")
local function spans()
  genops.flush(5000)
  return genops.finished_spans()
end
local function fresh()
  genops.clear_default_attributes()
  genops.init { service_name = "lua-api", exporter_type = "memory", default_team = "ml" }
end

-- The guide's operation: attributes and results come back.
fresh()
local a, b = genops.track_enhanced({ operation_name = "chat", customer_id = "c-1" }, function(span)
  span:record_cost { cost = 0.05, provider = "openai", tokens_input = 100, tokens_output = 50 }
  span:record_policy { policy_name = "pii", policy_result = "allowed" }
  span:set_attribute("app.region", "eu")
  return "x", "y"
end)
check(a == "x" and b == "y", "track_enhanced returns fn's results")
local s = spans()[1]
check(s.name == "chat", "name")
check(s.attributes["genops.team"] == "ml", "default team")
check(s.attributes["genops.customer_id"] == "c-1", "customer_id")
check(s.attributes["genops.tokens.total"] == 150, "tokens")
check(s.attributes["genops.policy.name"] == "pii", "policy")
check(s.attributes["app.region"] == "eu", "set_attribute")
check(s.status == 1, "status OK")

-- The Splunk guide's Example 1 (docs/lua.md), with the memory exporter.
genops.init { service_name = "customer-support-ai", exporter_type = "memory",
              default_team = "customer-support", default_project = "chat-assistant" }
genops.track_enhanced({ operation_name = "ai.chat.completion", customer_id = "enterprise-abc",
                        feature = "support-chat" }, function(span)
  span:record_cost { provider = "openai", model = "gpt-4", input_tokens = 150,
                     output_tokens = 300, total_cost = 0.0195 }
end)
s = spans()[1].attributes
check(math.abs(s["genops.cost.total"] - 0.0195) < 1e-12, "guide: cost")
check(s["genops.tokens.total"] == 450, "guide: tokens")
check(s["genops.project"] == "chat-assistant", "guide: project")
check(s["genops.cost.model"] == "gpt-4", "guide: model")

-- An error: status ERROR, re-raised with the traceback.
fresh()
local ok, err = pcall(genops.track_enhanced, { operation_name = "bad" }, function() error("boom") end)
check(not ok and err:find("boom") and err:find("traceback"), "error re-raised with traceback")
check(spans()[1].status == 2, "status ERROR")
check(genops.current_span() == nil, "current span restored")

-- Nesting and coroutines: a coroutine has its own current span and context.
fresh()
genops.with_governance_context({ project = "p1" }, function()
  genops.track_enhanced({ operation_name = "outer" }, function(outer)
    genops.track_enhanced({ operation_name = "inner" }, function(inner)
      check(genops.current_span() == inner, "inner is current")
    end)
    local co = coroutine.wrap(function()
      check(genops.current_span() == nil, "a coroutine starts without the span")
      check(genops.governance_context().project == nil, "nor the context")
      coroutine.yield()
      genops.track_enhanced({ operation_name = "in-co" }, function() end)
    end)
    co()
    co()
  end)
end)
local got = spans()
check(#got == 3, "three spans")
check(got[1].attributes["genops.project"] == "p1", "context applied")
check(got[2].attributes["genops.project"] == nil, "coroutine span has no context")

-- Bad input: a clear error, never a crash.
local function raises(fn, what)
  local good, msg = pcall(fn)
  check(not good and type(msg) == "string" and msg:find("genops"), what .. " (" .. tostring(msg) .. ")")
end
raises(function() genops.init("nope") end, "init needs a table")
raises(function() genops.init { service_name = 1 } end, "service_name type")
raises(function() genops.init { service_name = "x", exporter_type = "pigeon" } end, "exporter type")
fresh()
raises(function() genops.track_enhanced({ operation_name = 1 }, function() end) end, "name type")
raises(function() genops.track_enhanced({ operation_name = "x" }) end, "missing fn")
raises(function() genops.track_enhanced({ operation_name = "x", bad = print }, function() end) end, "function value")
genops.track_enhanced({ operation_name = "bad-input" }, function(span)
  raises(function() span:set_attribute("k", { nested = 1 }) end, "nested map")
  raises(function() span:set_attribute("k", { 1, "two" }) end, "mixed sequence")
  raises(function() span:record_cost { cost = print } end, "cost function")
  span:set_attribute("huge", string.rep("x", 5000000))
  span:set_attribute("utf8", "caf\195")
end)
local attrs = spans()[1].attributes
check(#attrs["huge"] == 5000000, "huge string kept")
check(attrs["utf8"] ~= nil, "invalid UTF-8 recorded")
genops.shutdown()
raises(function() genops.track_enhanced({ operation_name = "x" }, function() end) end, "after shutdown")

check.finish("lua api")
