-- genops - GenOps governance telemetry for Lua 5.1, 5.3, 5.4 and LuaJIT, over the flat
-- functions SWIG makes from bindings/genops.i (genops_native). Every per-operation call
-- is one native call. Plain 5.1 Lua: no integer division, goto, <close> or utf8.
--
--   local genops = require("genops")
--   genops.init{service_name = "chat-api", exporter_type = "otlp",
--               otlp_endpoint = "http://127.0.0.1:4318"}
--   genops.track_enhanced({operation_name = "chat", team = "ml"}, function(span)
--     span:record_cost{cost = 0.02, provider = "openai"}
--   end)
--
-- docs/lua.md describes the API.
local N = require("genops_native")

local M = {}
-- table.pack / table.unpack are 5.2+; LuaJIT and 5.1 have the global unpack.
local unpack = table.unpack or unpack
local function pack(...) return { n = select("#", ...), ... } end
-- The message handler: a string error gets the traceback once (an error re-raised
-- by an inner block has it already); any other error value is kept as it is.
local function traceback(err)
  if type(err) ~= "string" or err:find("\nstack traceback:", 1, true) then return err end
  return debug.traceback(err, 2)
end
-- xpcall(f, handler, arg): 5.2+ and LuaJIT pass arg to f; Lua 5.1 passes nothing, so
-- there a closure carries it.
local xpcall_with = xpcall
if not select(2, xpcall(function(x) return x end, tostring, true)) then
  xpcall_with = function(f, handler, arg) return xpcall(function() return f(arg) end, handler) end
end
local pipeline, memory_exporter

-- The pipeline belongs to this Lua state: when the state closes (lua_close collects
-- everything), genops_pipeline_free shuts it down within its exit-flush deadline
-- (pipeline_options.exit_flush_timeout_ms, default 5000) and stops its threads. The
-- guard is a userdata with __gc on 5.1 and LuaJIT (newproxy), a table on 5.2+, made
-- by the first init and kept as its upvalue, so it lives as long as the module.
local function close_pipeline()
  if pipeline then
    local p = pipeline
    pipeline, memory_exporter = nil, nil
    N.genops_pipeline_free(p)
  end
end
local close_guard
local function new_close_guard()
  if not newproxy then return setmetatable({}, { __gc = close_pipeline }) end
  local guard = newproxy(true)
  getmetatable(guard).__gc = close_pipeline
  return guard
end

-- The current span and governance context, per coroutine (a coroutine started inside
-- a block starts without them, as a Fiber does in Ruby).
local state = setmetatable({}, { __mode = "k" })
local main_key = {}
local function current()
  local co = coroutine.running()
  local key = co or main_key
  local s = state[key]
  if not s then
    s = {}
    state[key] = s
  end
  return s
end

local Span = {}
Span.__index = Span
function Span:record_cost(kv) return N.genops_span_record_cost(self.handle, kv) end
function Span:record_policy(kv) return N.genops_span_record_policy(self.handle, kv) end
function Span:record_budget(kv) return N.genops_span_record_budget(self.handle, kv) end
function Span:record_evaluation(kv) return N.genops_span_record_evaluation(self.handle, kv) end
-- {trace_id, span_id} (16 and 8 bytes): the parent of spans started inside.
function Span:context() return { N.genops_span_get_context(self.handle) } end

local function check_string(value, what)
  if type(value) ~= "string" then
    error("genops: EINVAL: " .. what .. " must be a string, not a " .. type(value), 3)
  end
end

-- A number key would become a string by Lua's coercion; a table's keys must be strings too.
function Span:set_attribute(key, value)
  check_string(key, "an attribute key")
  return N.genops_span_set(self.handle, key, value)
end

-- Start the pipeline (again: the old one is freed). exporter_type: "otlp" (the
-- endpoint decides OTLP or Splunk HEC), "console" or "memory" (genops.finished_spans).
-- resource_attributes: a table for the resource (nginx: {["process.pid"] = ...});
-- pipeline_options: genops_pipeline_options fields by name ({schedule_delay_ms = 100}).
-- The exporter init's exporter_type names (nil for an unknown one: nothing is made).
local exporter_makers = {
  memory = function() return N.genops_memory_exporter_new() end,
  console = function() return N.genops_console_exporter_new(1) end,
  otlp = function(opts)
    return N.genops_exporter_for_endpoint({ endpoint = opts.otlp_endpoint, headers = opts.otlp_headers })
  end,
}

-- The new pipeline p with its exporter and the defaults, returning the exporter when
-- it is the memory one; on any error p (and an exporter it does not own yet) is freed
-- before the error goes on.
local function equip(p, kind, opts)
  local exporter, owned = nil, false
  local ok, err = pcall(function()
    exporter = exporter_makers[kind](opts)
    N.genops_pipeline_add_exporter(p, exporter)
    owned = true
    local defaults = { team = opts.default_team, project = opts.default_project,
                       environment = opts.default_environment }
    if next(defaults) then N.genops_defaults_update(defaults) end
  end)
  if ok then return kind == "memory" and exporter or nil end
  if exporter and not owned then N.genops_exporter_free(exporter) end
  N.genops_pipeline_free(p)
  error(err, 0)
end

function M.init(opts)
  if type(opts) ~= "table" then error("genops: EINVAL: genops.init takes a table", 2) end
  check_string(opts.service_name, "service_name")
  local kind = opts.exporter_type or "otlp"
  if not exporter_makers[kind] then
    error("genops: EINVAL: exporter_type '" .. tostring(kind) ..
          "': expected otlp, console or memory", 2)
  end
  local extra = opts.pipeline_options
  if extra ~= nil and type(extra) ~= "table" then
    error("genops: EINVAL: pipeline_options must be a table, not a " .. type(extra), 2)
  end
  local options = { service_name = opts.service_name,
                    resource_attributes = opts.resource_attributes }
  for k, v in pairs(extra or {}) do options[k] = v end
  local p = N.genops_pipeline_new(options)
  local memory = equip(p, kind, opts)
  close_pipeline()
  pipeline, memory_exporter = p, memory
  close_guard = close_guard or new_close_guard()
  return M
end

-- The end of track_enhanced's block: ok and fn's results, or false and the error.
local function finish(s, parent, handle, ok, ...)
  s.span = parent
  if ok then
    N.genops_lua_operation_end(handle)
    return ...
  end
  local err = ...
  N.genops_lua_operation_end(handle, tostring(err))
  error(err, 0)
end

-- One operation span around fn(span): attrs.operation_name names it, the other keys
-- are genops.<key>. An error in fn sets status ERROR, adds the exception event and
-- is re-raised with its traceback. Returns fn's results. Two native calls
-- (genops_lua.swg): no table is copied.
function M.track_enhanced(attrs, fn)
  if not pipeline then error("genops: ENOTINIT: call genops.init first", 2) end
  if type(attrs) ~= "table" then error("genops: EINVAL: track_enhanced takes a table", 2) end
  if type(fn) ~= "function" then error("genops: EINVAL: track_enhanced needs a function", 2) end
  local s = current()
  local parent = s.span
  local handle = N.genops_lua_operation_start(pipeline, attrs, parent and parent.handle, s.context)
  local span = setmetatable({ handle = handle }, Span)
  s.span = span
  return finish(s, parent, handle, xpcall_with(fn, traceback, span))
end

function M.current_span() return current().span end

-- Governance attributes for every operation started inside fn (in this coroutine).
function M.with_governance_context(attrs, fn)
  local s = current()
  local saved = s.context
  local context = N.genops_context_new(saved, attrs)
  s.context = context
  local results = pack(pcall(fn))
  s.context = saved
  N.genops_context_unref(context)
  if not results[1] then error(results[2], 0) end
  return unpack(results, 2, results.n)
end

function M.governance_context()
  local ctx = N.genops_effective_context(current().context, nil)
  local out = {}
  for i = 0, N.genops_context_count(ctx) - 1 do
    local k, v = N.genops_context_get(ctx, i)
    out[k] = v
  end
  N.genops_context_unref(ctx)
  return out
end

function M.set_default_attributes(attrs) return N.genops_defaults_set(attrs) end
function M.update_default_attributes(attrs) return N.genops_defaults_update(attrs) end
function M.clear_default_attributes() return N.genops_defaults_clear() end

-- Wait up to ms milliseconds (default 5000) for every ended span to be exported.
function M.flush(ms)
  if pipeline then return N.genops_pipeline_flush(pipeline, ms or 5000) end
end

function M.shutdown(ms)
  if not pipeline then return end
  local ok, err = pcall(N.genops_pipeline_shutdown, pipeline, ms or 5000)
  close_pipeline() -- a shutdown past its deadline has stopped the pipeline all the same
  if not ok then error(err, 2) end
end

-- The spans a memory exporter holds: {name=, attributes=, status=, status_message=,
-- trace_id=, span_id=, parent_span_id= (nil for a root), events={{name=, attributes=}}};
-- an event's attributes are OpenTelemetry's exception.type, .message and .stacktrace.
local exception_keys = { "exception.type", "exception.message", "exception.stacktrace" }
function M.finished_spans()
  if not memory_exporter then error("genops: EINVAL: needs exporter_type = \"memory\"", 2) end
  local out = {}
  for i = 0, N.genops_memory_exporter_count(memory_exporter) - 1 do
    local data = N.genops_memory_exporter_get(memory_exporter, i)
    local attributes, events = {}, {}
    for j = 0, N.genops_span_data_attribute_count(data) - 1 do
      local _, k, v = N.genops_span_data_attribute(data, j)
      attributes[k] = v
    end
    for j = 0, N.genops_span_data_event_count(data) - 1 do
      local event = { name = N.genops_span_data_event(data, j), attributes = {} }
      for _, k in ipairs(exception_keys) do
        local found, v = N.genops_span_data_event_find(data, j, k)
        if found then event.attributes[k] = v end
      end
      events[#events + 1] = event
    end
    local status, message = N.genops_span_data_status(data)
    local trace_id, span_id = N.genops_span_data_context(data)
    local _, parent = N.genops_span_data_parent(data)
    out[#out + 1] = { name = N.genops_span_data_name(data), attributes = attributes,
                      status = status, status_message = message, trace_id = trace_id,
                      span_id = span_id, parent_span_id = parent, events = events }
  end
  return out
end

return M
