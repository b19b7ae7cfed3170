# frozen_string_literal: true

# genops - GenOps governance telemetry for Ruby, over the flat functions SWIG generates
# from bindings/genops.i (Genops::Native). Every per-operation call is one native call;
# no SWIG class wrapper is on the hot path (/work/shared/DESIGN.md measured why).
#
#   Genops.init(service_name: "chat-api", exporter_type: "otlp",
#               otlp_endpoint: "http://127.0.0.1:4318")
#   Genops.track_enhanced(operation_name: "chat", team: "ml") do |span|
#     span.record_cost(cost: 0.02, provider: "openai", model: "gpt-4o")
#   end
#
# docs/ruby.md describes the API.
require "genops/native"

module Genops
  N = Native
  private_constant :N

  # Every genops failure: the native classes (one per status of core/src/status.def)
  # are subclasses of Native::Error, which is this one.
  Error = N::Error
  ConfigError = N::ConfigError
  # A call that needs Genops.init first.
  class NotInitializedError < Error; end

  # One operation span, alive inside its track_enhanced block.
  class Span
    attr_reader :handle

    def initialize(handle)
      @handle = handle
    end

    def record_cost(**kv) = N.genops_span_record_cost(@handle, kv)
    def record_policy(**kv) = N.genops_span_record_policy(@handle, kv)
    def record_budget(**kv) = N.genops_span_record_budget(@handle, kv)
    def record_evaluation(**kv) = N.genops_span_record_evaluation(@handle, kv)
    def set_attribute(key, value) = N.genops_span_set(@handle, key.to_s, value)
    def add_event(name, **attrs) = N.genops_span_add_event(@handle, name.to_s, attrs)
    def recording? = N.genops_span_is_recording(@handle)

    # (trace_id, span_id) as 16 and 8 bytes: the parent of spans started inside.
    def context = N.genops_span_get_context(@handle)
  end

  # Keys of the fiber-local state (Thread#[] is per Fiber, so a Fiber or Thread
  # started inside a block starts without it; pass Genops.current_context along).
  CONTEXT_KEY = :__genops_context
  SPAN_KEY = :__genops_span
  # The keys a with_governance_context set to nil: passed as nil attributes at
  # operation start, which hides them, defaults included (genops-ai's dict merge).
  HIDDEN_KEY = :__genops_hidden
  private_constant :CONTEXT_KEY, :SPAN_KEY, :HIDDEN_KEY

  @mutex = Mutex.new
  @pipeline = nil
  @exporter = nil
  @exit_hook = false

  class << self
    # Start the process's pipeline (again: the old one is shut down first).
    # exporter_type: "otlp" (the endpoint decides OTLP or Splunk HEC, as in Python),
    # "console" (stdout) or "memory" (Genops.finished_spans reads it; tests).
    def init(service_name:, exporter_type: "otlp", otlp_endpoint: nil, otlp_headers: nil,
             default_team: nil, default_project: nil, default_environment: nil,
             exit_timeout: 5.0, **pipeline_options)
      options = { service_name: service_name.to_s }.merge(pipeline_options)
      exporter = new_exporter(exporter_type.to_s, otlp_endpoint, otlp_headers)
      pipeline = N.genops_pipeline_new(options)
      begin
        N.genops_pipeline_add_exporter(pipeline, exporter)
      rescue StandardError
        N.genops_pipeline_free(pipeline)
        raise
      end
      defaults = { team: default_team, project: default_project,
                   environment: default_environment }.compact
      N.genops_defaults_update(defaults) unless defaults.empty?
      @mutex.synchronize do
        old = @pipeline
        @pipeline = pipeline
        @exporter = exporter_type.to_s == "memory" ? exporter : nil
        @exit_timeout = exit_timeout
        N.genops_pipeline_free(old) if old
      end
      install_exit_hook
      self
    end

    def initialized? = !@pipeline.nil?

    # One operation span around the block: genops.operation.name, the governance
    # context and the keywords (as genops.<key>). A block that raises ends the span
    # with status ERROR and an exception event, and the exception propagates.
    def track_enhanced(operation_name:, operation_type: nil, **attrs)
      pipeline = @pipeline or raise NotInitializedError, "call Genops.init first"
      locals = Thread.current
      parent = locals[SPAN_KEY]
      hidden = locals[HIDDEN_KEY]
      attrs = hidden.merge(attrs) if hidden
      handle = N.genops_operation_start(pipeline, operation_name.to_s, operation_type,
                                        parent&.context, locals[CONTEXT_KEY], attrs)
      span = Span.new(handle)
      locals[SPAN_KEY] = span
      begin
        result = yield span
        N.genops_span_set_status(handle, N::GENOPS_SPAN_STATUS_OK, nil)
        result
      rescue Exception => e # rubocop:disable Lint/RescueException - re-raised
        N.genops_span_record_exception(handle, e.class.name, e.message,
                                       (e.backtrace || []).join("\n"))
        N.genops_span_set_status(handle, N::GENOPS_SPAN_STATUS_ERROR, e.message)
        raise
      ensure
        locals[SPAN_KEY] = parent
        N.genops_span_end(handle)
      end
    end

    def current_span = Thread.current[SPAN_KEY]

    # Governance attributes for every operation started inside the block (in this
    # Fiber). A nil value hides the key, defaults included.
    def with_governance_context(**attrs)
      locals = Thread.current
      saved = locals[CONTEXT_KEY]
      saved_hidden = locals[HIDDEN_KEY]
      context = N.genops_context_new(saved, attrs)
      nils = attrs.select { |_, v| v.nil? }.transform_keys(&:to_s)
      hidden = (saved_hidden || {}).reject { |k, _| attrs.key?(k.to_sym) || attrs.key?(k) }
      hidden = hidden.merge(nils)
      locals[CONTEXT_KEY] = context
      locals[HIDDEN_KEY] = hidden.empty? ? nil : hidden.freeze
      begin
        yield
      ensure
        N.genops_context_unref(context)
        locals[CONTEXT_KEY] = saved
        locals[HIDDEN_KEY] = saved_hidden
      end
    end

    # The governance context in effect here (defaults and with_governance_context) as a Hash.
    def governance_context
      locals = Thread.current
      ctx = N.genops_effective_context(locals[CONTEXT_KEY], locals[HIDDEN_KEY])
      begin
        (0...N.genops_context_count(ctx)).to_h { |i| N.genops_context_get(ctx, i) }
      ensure
        N.genops_context_unref(ctx)
      end
    end

    def set_default_attributes(**attrs) = N.genops_defaults_set(attrs)
    def update_default_attributes(**attrs) = N.genops_defaults_update(attrs)
    def clear_default_attributes = N.genops_defaults_clear

    # Wait (GVL released) up to timeout seconds for every ended span to be exported.
    def flush(timeout: 5.0)
      pipeline = @pipeline or return
      N.genops_pipeline_flush(pipeline, milliseconds(timeout))
    end

    # Flush, stop and free the pipeline; later operations raise NotInitializedError.
    def shutdown(timeout: 5.0)
      pipeline = @mutex.synchronize do
        p = @pipeline
        @pipeline = nil
        @exporter = nil
        p
      end
      return unless pipeline

      begin
        N.genops_pipeline_shutdown(pipeline, milliseconds(timeout))
      ensure
        N.genops_pipeline_free(pipeline)
      end
    end

    def stats = @pipeline && N.genops_pipeline_stats(@pipeline)

    # The spans a "memory" exporter holds, each as {name:, attributes:, status:}.
    def finished_spans
      exporter = @exporter or raise ConfigError, "finished_spans needs exporter_type: \"memory\""
      (0...N.genops_memory_exporter_count(exporter)).map do |i|
        data = N.genops_memory_exporter_get(exporter, i)
        attrs = (0...N.genops_span_data_attribute_count(data)).to_h do |j|
          N.genops_span_data_attribute(data, j)
        end
        { name: N.genops_span_data_name(data), attributes: attrs,
          status: N.genops_span_data_status(data) }
      end
    end

    private

    def new_exporter(type, endpoint, headers)
      case type
      when "memory" then N.genops_memory_exporter_new
      when "console" then N.genops_console_exporter_new($stdout.fileno)
      when "otlp"
        options = { endpoint: endpoint, headers: headers }.compact
        N.genops_exporter_for_endpoint(options)
      else
        raise ConfigError, "exporter_type #{type.inspect}: expected \"otlp\", \"console\" or \"memory\""
      end
    end

    def milliseconds(seconds)
      raise ConfigError, "timeout must be a non-negative number of seconds" unless
        seconds.is_a?(Numeric) && seconds >= 0 && seconds.finite?

      (seconds * 1000).round
    end

    # at_exit: flush and shut down within exit_timeout seconds; in a forked child
    # too (the core's after-fork handling gives the child its own send loop).
    def install_exit_hook
      return if @exit_hook

      @exit_hook = true
      at_exit do
        shutdown(timeout: @exit_timeout || 5.0)
      rescue Error => e # an exit is no place to raise: say what was not exported
        warn "genops: at exit: #{e.message}"
      end
    end
  end
end
