-- busted spec of the idiomatic Lua API (bindings/lua/genops.lua) against the memory
-- exporter: the API, errors (status ERROR, re-raised with the traceback), bad input
-- (a clear error or the documented coercion, never a crash) and coroutines. make
-- test-bindings runs it under every Lua built (Lua 5.1, 5.3, 5.4, LuaJIT):
--
--   LUA_PATH='bindings/lua/?.lua;;' LUA_CPATH='<build>/lua/<lua>/?.so;;' \
--     <lua> /usr/bin/busted tests/lua/genops_spec.lua
local genops = require("genops")

local STATUS_OK, STATUS_ERROR = 1, 2
-- Lua 5.1 cannot yield across pcall (LuaJIT can).
local can_yield_in_block = _VERSION ~= "Lua 5.1" or type(jit) == "table"

local function spans()
  genops.flush(5000)
  return genops.finished_spans()
end
local function fresh(extra)
  genops.clear_default_attributes()
  local opts = { service_name = "lua-spec", exporter_type = "memory", default_team = "ml" }
  for k, v in pairs(extra or {}) do opts[k] = v end
  genops.init(opts)
end
local function noop() end
-- A call that must fail with a genops error naming what: returns the message.
local function genops_error(fn, pattern)
  local ok, msg = pcall(fn)
  assert.is_false(ok)
  assert.is_string(msg)
  assert.truthy(msg:find("genops: ", 1, true), msg)
  if pattern then assert.truthy(msg:find(pattern), msg) end
  return msg
end

describe("genops", function()
  before_each(function() fresh() end)
  teardown(function() genops.shutdown() end)

  describe("track_enhanced", function()
    it("records the guide's operation and returns fn's results", function()
      local a, b, c, n = genops.track_enhanced({ operation_name = "chat", customer_id = "c-1" },
        function(span)
          span:record_cost { cost = 0.05, provider = "openai", tokens_input = 100, tokens_output = 50 }
          span:record_policy { policy_name = "pii", policy_result = "allowed" }
          span:record_budget { budget_name = "monthly", budget_limit = 100, budget_used = 20 }
          span:record_evaluation { evaluation_name = "quality", score = 0.9, threshold = 0.8 }
          span:set_attribute("app.region", "eu")
          return "x", nil, "z", select("#", nil, nil)
        end)
      assert.are.same({ "x", nil, "z", 2 }, { a, b, c, n })
      local got = spans()
      assert.are.equal(1, #got)
      local s = got[1]
      assert.are.equal("chat", s.name)
      assert.are.equal(STATUS_OK, s.status)
      assert.are.equal("ml", s.attributes["genops.team"])
      assert.are.equal("c-1", s.attributes["genops.customer_id"])
      assert.are.equal(150, s.attributes["genops.tokens.total"])
      assert.are.equal("openai", s.attributes["genops.cost.provider"])
      assert.are.equal("pii", s.attributes["genops.policy.name"])
      assert.are.equal("monthly", s.attributes["genops.budget.name"])
      assert.are.equal("quality", s.attributes["genops.eval.metric"])
      assert.are.equal("eu", s.attributes["app.region"])
      assert.is_nil(s.parent_span_id)
      assert.are.equal(16, #s.trace_id)
      assert.are.equal(8, #s.span_id)
    end)

    it("delivers the Splunk guide's example (docs/lua.md)", function()
      genops.init { service_name = "customer-support-ai", exporter_type = "memory",
                    default_team = "customer-support", default_project = "chat-assistant" }
      genops.track_enhanced({ operation_name = "ai.chat.completion", customer_id = "enterprise-abc",
                              feature = "support-chat" }, function(span)
        span:record_cost { provider = "openai", model = "gpt-4", input_tokens = 150,
                           output_tokens = 300, total_cost = 0.0195 }
      end)
      local s = spans()[1].attributes
      assert.are.equal("ai.chat.completion", spans()[1].name)
      assert.is_true(math.abs(s["genops.cost.total"] - 0.0195) < 1e-12)
      assert.are.equal(450, s["genops.tokens.total"])
      assert.are.equal("customer-support", s["genops.team"])
      assert.are.equal("chat-assistant", s["genops.project"])
      assert.are.equal("enterprise-abc", s["genops.customer_id"])
      assert.are.equal("support-chat", s["genops.feature"])
      assert.are.equal("gpt-4", s["genops.cost.model"])
      assert.are.equal("USD", s["genops.cost.currency"])
    end)

    it("nests: the inner span is current and a child of the outer", function()
      genops.track_enhanced({ operation_name = "outer" }, function(outer)
        assert.are.equal(outer, genops.current_span())
        genops.track_enhanced({ operation_name = "inner" }, function(inner)
          assert.are.equal(inner, genops.current_span())
        end)
        assert.are.equal(outer, genops.current_span())
      end)
      assert.is_nil(genops.current_span())
      local got = spans()
      assert.are.equal("inner", got[1].name)
      assert.are.equal(got[2].span_id, got[1].parent_span_id)
      assert.are.equal(got[2].trace_id, got[1].trace_id)
    end)

    it("takes operation_type", function()
      genops.track_enhanced({ operation_name = "embed", operation_type = "ai.embedding" }, noop)
      assert.are.equal("ai.embedding", spans()[1].attributes["genops.operation.type"])
    end)
  end)

  describe("context and defaults", function()
    it("applies with_governance_context inside its function only", function()
      local r = genops.with_governance_context({ project = "p1", customer_id = "c" }, function()
        assert.are.same({ team = "ml", project = "p1", customer_id = "c" }, genops.governance_context())
        genops.with_governance_context({ project = "p2" }, function()
          genops.track_enhanced({ operation_name = "deep" }, noop)
        end)
        genops.track_enhanced({ operation_name = "shallow" }, noop)
        return "r"
      end)
      assert.are.equal("r", r)
      genops.track_enhanced({ operation_name = "outside" }, noop)
      local got = spans()
      assert.are.equal("p2", got[1].attributes["genops.project"])
      assert.are.equal("c", got[1].attributes["genops.customer_id"])
      assert.are.equal("p1", got[2].attributes["genops.project"])
      assert.is_nil(got[3].attributes["genops.project"])
      assert.are.same({ team = "ml" }, genops.governance_context())
    end)

    it("restores the context when the function raises", function()
      assert.has_error(function()
        genops.with_governance_context({ project = "p1" }, function() error("inside") end)
      end)
      assert.is_nil(genops.governance_context().project)
    end)

    it("sets, updates and clears the defaults", function()
      genops.set_default_attributes { team = "a", project = "b" }
      genops.update_default_attributes { project = "c" }
      genops.track_enhanced({ operation_name = "one" }, noop)
      genops.clear_default_attributes()
      genops.track_enhanced({ operation_name = "two" }, noop)
      local got = spans()
      assert.are.equal("a", got[1].attributes["genops.team"])
      assert.are.equal("c", got[1].attributes["genops.project"])
      assert.is_nil(got[2].attributes["genops.team"])
    end)
  end)

  describe("errors", function()
    it("set status ERROR, add the exception event and re-raise with the traceback", function()
      local ok, err = pcall(genops.track_enhanced, { operation_name = "bad" },
                            function() error("boom") end)
      assert.is_false(ok)
      assert.truthy(err:find("boom", 1, true))
      assert.truthy(err:find("stack traceback:", 1, true))
      local s = spans()[1]
      assert.are.equal(STATUS_ERROR, s.status)
      assert.truthy(s.status_message:find("boom", 1, true))
      assert.is_nil(s.status_message:find("\n", 1, true))
      assert.are.equal(1, #s.events)
      assert.are.equal("exception", s.events[1].name)
      assert.truthy(s.events[1].attributes["exception.message"]:find("boom", 1, true))
      assert.truthy(s.events[1].attributes["exception.stacktrace"]:find("stack traceback:", 1, true))
      assert.is_nil(genops.current_span())
    end)

    it("carry one traceback through nested blocks, each span ERROR", function()
      local _, err = pcall(genops.track_enhanced, { operation_name = "outer" }, function()
        genops.track_enhanced({ operation_name = "inner" }, function() error("deep") end)
      end)
      local _, count = err:gsub("stack traceback:", "")
      assert.are.equal(1, count)
      local got = spans()
      assert.are.equal(STATUS_ERROR, got[1].status)
      assert.are.equal(STATUS_ERROR, got[2].status)
    end)

    it("re-raise a non-string error value unchanged", function()
      local value = { code = 42 }
      local ok, err = pcall(genops.track_enhanced, { operation_name = "obj" },
                            function() error(value) end)
      assert.is_false(ok)
      assert.are.equal(value, err)
      assert.are.equal(STATUS_ERROR, spans()[1].status)
    end)

    it("make a span used after its block stale: a clear error", function()
      local kept
      genops.track_enhanced({ operation_name = "short" }, function(span) kept = span end)
      genops_error(function() kept:record_cost { cost = 1 } end, "ESTALE")
      genops_error(function() kept:set_attribute("k", "v") end, "ESTALE")
    end)

    it("need init first, and again after shutdown", function()
      genops.shutdown()
      genops_error(function() genops.track_enhanced({ operation_name = "x" }, noop) end, "ENOTINIT")
      genops.shutdown() -- twice is harmless
      assert.is_nil(genops.flush(10))
    end)
  end)

  describe("bad input", function()
    it("passes resource attributes and pipeline options, rejecting unknown ones", function()
      genops.init { service_name = "opts", exporter_type = "memory",
                    resource_attributes = { ["process.pid"] = "42" },
                    pipeline_options = { schedule_delay_ms = 100, max_queue_size = 64 } }
      genops.track_enhanced({ operation_name = "x" }, noop)
      assert.are.equal(1, #spans())
      genops_error(function()
        genops.init { service_name = "x", exporter_type = "memory", pipeline_options = { bogus = 1 } }
      end, "bogus")
      genops_error(function()
        genops.init { service_name = "x", exporter_type = "memory", resource_attributes = { pid = 42 } }
      end, "must be a string")
      genops_error(function()
        genops.init { service_name = "x", exporter_type = "memory", pipeline_options = 5 }
      end, "pipeline_options")
      genops_error(function()
        genops.init { service_name = "x", exporter_type = "otlp", otlp_endpoint = "ftp://nope" }
      end, "EINVAL")
      genops_error(function()
        genops.init { service_name = "x", exporter_type = "memory", default_team = print }
      end, "team")
      -- A failed init changes nothing: the pipeline before it still records.
      genops.track_enhanced({ operation_name = "after" }, noop)
      assert.are.equal("after", spans()[2].name)
    end)

    it("rejects wrong argument types", function()
      genops_error(function() genops.init("nope") end, "EINVAL")
      genops_error(function() genops.init {} end, "service_name")
      genops_error(function() genops.init { service_name = 1 } end, "service_name")
      genops_error(function() genops.init { service_name = "x", exporter_type = "pigeon" } end, "pigeon")
      fresh()
      genops_error(function() genops.track_enhanced(nil, noop) end, "EINVAL")
      genops_error(function() genops.track_enhanced("chat", noop) end, "EINVAL")
      genops_error(function() genops.track_enhanced({}, noop) end, "operation_name")
      genops_error(function() genops.track_enhanced({ operation_name = 1 }, noop) end, "operation_name")
      genops_error(function() genops.track_enhanced({ operation_name = "x" }) end, "function")
      genops_error(function() genops.track_enhanced({ operation_name = "x" }, "fn") end, "function")
      assert.are.equal(0, #spans())
    end)

    it("rejects values genops cannot record, naming the attribute", function()
      genops_error(function() genops.track_enhanced({ operation_name = "x", bad = print }, noop) end, "bad")
      genops_error(function()
        genops.track_enhanced({ operation_name = "x", co = coroutine.create(noop) }, noop)
      end, "thread")
      genops_error(function() genops.track_enhanced({ operation_name = "x", [1] = "positional" }, noop) end,
                   "keys must be strings")
      genops.track_enhanced({ operation_name = "bad-values" }, function(span)
        genops_error(function() span:set_attribute("k", { nested = 1 }) end, "map table")
        genops_error(function() span:set_attribute("k", { 1, "two" }) end, "one type")
        genops_error(function() span:set_attribute("k", io.stdout) end, "userdata")
        genops_error(function() span:record_cost { cost = print } end, "cost")
        genops_error(function() span:record_cost { cost = 0 / 0 } end, "EINVAL")
        genops_error(function() span:record_cost { cost = math.huge } end, "EINVAL")
        genops_error(function() span:set_attribute(nil, "v") end, "key")
        genops_error(function() span:set_attribute(42, "v") end, "key")
      end)
      local got = spans()
      assert.are.equal(1, #got) -- only the block's span: the rejected ones never started
      assert.are.equal(STATUS_OK, got[1].status)
    end)

    it("keeps huge strings, replaces invalid UTF-8 with U+FFFD, keeps NUL bytes", function()
      local huge = string.rep("x", 5000000)
      genops.track_enhanced({ operation_name = string.rep("n", 100000) }, function(span)
        span:set_attribute("huge", huge)
        span:set_attribute("utf8", "caf\195")
        span:set_attribute("nul", "a\0b")
        span:set_attribute("nothing", nil) -- a nil value is ignored
      end)
      local s = spans()[1]
      assert.are.equal(100000, #s.name)
      assert.are.equal(huge, s.attributes["huge"])
      assert.are.equal("caf\239\191\189", s.attributes["utf8"])
      assert.are.equal("a\0b", s.attributes["nul"])
      assert.is_nil(s.attributes["nothing"])
    end)

    it("records sequences of one type as arrays", function()
      genops.track_enhanced({ operation_name = "arrays", tags = { "a", "b" }, ids = { 1, 2, 3 } }, noop)
      local s = spans()[1].attributes
      assert.are.same({ "a", "b" }, s["genops.tags"])
      assert.are.same({ 1, 2, 3 }, s["genops.ids"])
    end)

    it("records whole and fractional numbers (on 5.1 / LuaJIT 2.0 is the integer 2)", function()
      genops.track_enhanced({ operation_name = "numbers", whole = 2.0, part = 2.5, big = 2 ^ 53 }, noop)
      local s = spans()[1].attributes
      assert.are.equal(2, s["genops.whole"])
      assert.are.equal(2.5, s["genops.part"])
      assert.are.equal(2 ^ 53, s["genops.big"])
    end)
  end)

  describe("coroutines", function()
    it("start without the span and context of the block they were created in", function()
      genops.with_governance_context({ project = "p1" }, function()
        genops.track_enhanced({ operation_name = "outer" }, function()
          local co = coroutine.wrap(function()
            assert.is_nil(genops.current_span())
            assert.is_nil(genops.governance_context().project)
            genops.track_enhanced({ operation_name = "in-co" }, noop)
          end)
          co()
        end)
      end)
      local got = spans()
      assert.are.equal("in-co", got[1].name)
      assert.is_nil(got[1].attributes["genops.project"])
      assert.is_nil(got[1].parent_span_id)
      assert.are.equal("p1", got[2].attributes["genops.project"])
    end)

    it("interleave, each with its own current span", function()
      if not can_yield_in_block then
        -- Lua 5.1 cannot yield across xpcall: a block that yields fails, clearly.
        local co = coroutine.create(function()
          genops.track_enhanced({ operation_name = "yields" }, function() coroutine.yield() end)
        end)
        local ok, err = coroutine.resume(co)
        assert.is_false(ok)
        assert.truthy(tostring(err):find("yield across", 1, true))
        assert.are.equal(STATUS_ERROR, spans()[1].status)
        return
      end
      local function worker(name)
        return coroutine.create(function()
          genops.track_enhanced({ operation_name = name }, function(span)
            coroutine.yield(span)
            assert.are.equal(span, genops.current_span())
            genops.track_enhanced({ operation_name = name .. ".child" }, function()
              coroutine.yield()
            end)
          end)
        end)
      end
      local a, b = worker("a"), worker("b")
      local _, span_a = coroutine.resume(a)
      local _, span_b = coroutine.resume(b)
      assert.are_not.equal(span_a, span_b)
      assert.is_nil(genops.current_span())
      assert.is_true(coroutine.resume(b))
      assert.is_true(coroutine.resume(a))
      assert.is_true(coroutine.resume(a))
      assert.is_true(coroutine.resume(b))
      assert.are.equal("dead", coroutine.status(a))
      assert.are.equal("dead", coroutine.status(b))
      local by_name = {}
      for _, s in ipairs(spans()) do by_name[s.name] = s end
      assert.are.equal(by_name["a"].span_id, by_name["a.child"].parent_span_id)
      assert.are.equal(by_name["b"].span_id, by_name["b.child"].parent_span_id)
      assert.are_not.equal(by_name["a"].trace_id, by_name["b"].trace_id)
    end)

    it("raise inside a coroutine: that span is ERROR, the caller's block goes on", function()
      genops.track_enhanced({ operation_name = "caller" }, function()
        local ok, err = coroutine.resume(coroutine.create(function()
          genops.track_enhanced({ operation_name = "failing" }, function() error("co-boom") end)
        end))
        assert.is_false(ok)
        assert.truthy(err:find("co-boom", 1, true))
      end)
      local got = spans()
      assert.are.equal(STATUS_ERROR, got[1].status)
      assert.are.equal(STATUS_OK, got[2].status)
    end)
  end)
end)
