# The idiomatic Ruby API (bindings/ruby/lib): Genops.init, track_enhanced, the
# recorders, governance context across Fibers and Threads, errors, bad input, fork,
# and the Rack middleware, against the memory exporter.
#
#   ruby -I bindings/ruby/lib -I <build>/ruby tests/ruby/api_test.rb
require "minitest/autorun"
require "genops"
require "genops/rack"

class GenopsApiTest < Minitest::Test
  STATUS_OK = Genops::Native::GENOPS_SPAN_STATUS_OK
  STATUS_ERROR = Genops::Native::GENOPS_SPAN_STATUS_ERROR

  def setup
    Genops.clear_default_attributes
    Genops.init(service_name: "ruby-api", exporter_type: "memory", default_team: "ml")
  end

  def teardown
    Genops.shutdown
    Genops.clear_default_attributes
  end

  def spans
    Genops.flush(timeout: 5)
    Genops.finished_spans
  end

  def test_track_enhanced_records_the_guides_attributes
    result = Genops.track_enhanced(operation_name: "chat", customer_id: "c-1",
                                   "feature" => "search") do |span|
      span.record_cost(cost: 0.05, provider: "openai", model: "gpt-4o",
                       tokens_input: 100, tokens_output: 50)
      span.record_policy(policy_name: "pii", policy_result: "allowed")
      span.record_budget(budget_name: "monthly", budget_limit: 100.0, budget_used: 25.0)
      span.record_evaluation(evaluation_name: "quality", score: 0.9, threshold: 0.8)
      span.set_attribute(:"app.region", "eu")
      :answer
    end
    assert_equal :answer, result
    span = spans.fetch(0)
    a = span[:attributes]
    assert_equal "chat", span[:name]
    assert_equal "ml", a["genops.team"]
    assert_equal "c-1", a["genops.customer_id"]
    assert_equal "search", a["genops.feature"]
    assert_in_delta 0.05, a["genops.cost.total"]
    assert_equal 150, a["genops.tokens.total"]
    assert_equal "pii", a["genops.policy.name"]
    assert_in_delta 75.0, a["genops.budget.remaining"]
    assert_equal "eu", a["app.region"]
    assert_equal STATUS_OK, span[:status][0]
  end

  # The Splunk guide's Example 1 (docs/ruby.md), with the memory exporter.
  def test_the_splunk_guides_cost_example
    Genops.init(service_name: "customer-support-ai", exporter_type: "memory",
                default_team: "customer-support", default_project: "chat-assistant")
    Genops.track_enhanced(operation_name: "ai.chat.completion", customer_id: "enterprise-abc",
                          feature: "support-chat") do |span|
      span.record_cost(provider: "openai", model: "gpt-4", input_tokens: 150,
                       output_tokens: 300, total_cost: 0.0195)
    end
    a = spans.fetch(0)[:attributes]
    assert_in_delta 0.0195, a["genops.cost.total"]
    assert_equal 450, a["genops.tokens.total"]
    assert_equal "enterprise-abc", a["genops.customer_id"]
    assert_equal "customer-support", a["genops.team"]
    assert_equal "chat-assistant", a["genops.project"]
    assert_equal "gpt-4", a["genops.cost.model"]
  end

  def test_a_raising_block_is_an_error_span_and_reraises
    error = assert_raises(KeyError) do
      Genops.track_enhanced(operation_name: "bad") { raise KeyError, "no such model" }
    end
    assert_equal "no such model", error.message
    span = spans.fetch(0)
    assert_equal [STATUS_ERROR, "no such model"], span[:status]
    assert_nil Genops.current_span
  end

  def test_nested_operations_are_parent_and_child
    Genops.track_enhanced(operation_name: "outer") do |outer|
      Genops.track_enhanced(operation_name: "inner") do |inner|
        assert_same inner, Genops.current_span
        assert_equal outer.context[0], inner.context[0], "same trace"
      end
      assert_same outer, Genops.current_span
    end
    assert_equal %w[inner outer], spans.map { |s| s[:name] }
  end

  def test_governance_context_is_fiber_and_thread_local
    Genops.with_governance_context(project: "p1", team: nil) do
      assert_equal({ "project" => "p1" }, Genops.governance_context)
      other_fiber = Fiber.new { Genops.governance_context }.resume
      other_thread = Thread.new { Genops.governance_context }.value
      assert_equal({ "team" => "ml" }, other_fiber)
      assert_equal({ "team" => "ml" }, other_thread)
      Genops.track_enhanced(operation_name: "inside") {}
    end
    assert_equal({ "team" => "ml" }, Genops.governance_context)
    a = spans.fetch(0)[:attributes]
    assert_equal "p1", a["genops.project"]
    refute a.key?("genops.team"), "nil hides the default"
  end

  def test_threads_record_concurrently
    threads = Array.new(4) do |t|
      Thread.new do
        25.times { |i| Genops.track_enhanced(operation_name: "t#{t}", i: i) { |s| s.record_cost(cost: 0.01) } }
      end
    end
    threads.each(&:join)
    assert_equal 100, spans.size
  end

  def test_errors_are_a_genops_error_hierarchy
    assert_operator Genops::ConfigError, :<, Genops::Error
    assert_operator Genops::NotInitializedError, :<, Genops::Error
    assert_raises(Genops::ConfigError) { Genops.init(service_name: "x", exporter_type: "carrier-pigeon") }
    assert_raises(Genops::ConfigError) { Genops.init(service_name: "x", bogus_option: 1) }
    assert_raises(Genops::ConfigError) { Genops.flush(timeout: -1) }
    Genops.shutdown
    assert_raises(Genops::NotInitializedError) { Genops.track_enhanced(operation_name: "x") {} }
  end

  def test_bad_input_is_a_clear_error_never_a_crash
    Genops.track_enhanced(operation_name: "bad-input") do |span|
      assert_raises(Genops::Error) { span.record_cost(cost: Object.new) }
      assert_raises(Genops::Error) { span.set_attribute("k", { nested: 1 }) }
      assert_raises(Genops::Error) { span.set_attribute("k", [1, "two"]) }
      assert_raises(Genops::Error) { span.set_attribute("k", 2**70) }
      span.set_attribute("huge", "x" * 5_000_000)
      span.set_attribute("utf8", "caf\xC3".b)
    end
    assert_raises(Genops::Error) { Genops.track_enhanced(operation_name: "x", bad: Object.new) {} }
    assert_raises(Genops::Error) { Genops.with_governance_context(bad: [nil, 1]) {} }
    a = spans.fetch(0)[:attributes]
    assert_equal 5_000_000, a["huge"].bytesize, "no default length limit: kept whole"
    assert a["utf8"].dup.force_encoding("UTF-8").valid_encoding?, "invalid UTF-8 replaced"
  end

  def test_a_forked_child_exports_its_own_spans
    skip "no fork" unless Process.respond_to?(:fork)
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      Genops.track_enhanced(operation_name: "child") {}
      writer.write(spans.map { |s| s[:name] }.join(","))
      writer.close
      exit!(0)
    end
    writer.close
    Genops.track_enhanced(operation_name: "parent") {}
    assert_equal "child", reader.read
    Process.wait(pid)
    assert_equal ["parent"], spans.map { |s| s[:name] }
  end

  def test_rack_middleware_opens_one_operation_per_request
    app = lambda do |env|
      raise "broken" if env["PATH_INFO"] == "/fail"

      [200, {}, ["ok"]]
    end
    stack = Genops::Rack.new(app, team: "web")
    status, = stack.call("REQUEST_METHOD" => "GET", "PATH_INFO" => "/chat")
    assert_equal 200, status
    stack.call("REQUEST_METHOD" => "POST", "PATH_INFO" => "/x", "sinatra.route" => "POST /items/:id")
    assert_raises(RuntimeError) { stack.call("REQUEST_METHOD" => "GET", "PATH_INFO" => "/fail") }
    got = spans
    assert_equal ["GET /chat", "POST /items/:id", "GET /fail"], got.map { |s| s[:name] }
    assert_equal "web", got[0][:attributes]["genops.team"]
    assert_equal 200, got[0][:attributes]["http.status_code"]
    assert_equal STATUS_ERROR, got[2][:status][0]
  end
end
