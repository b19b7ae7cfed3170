# Smoke test of the Ruby binding generated from bindings/genops.i: load the module,
# record one operation span into a memory exporter, read it back. The same scenario
# as tests/lua/smoke.lua and tests/python/test_bindings_smoke.py.
#
#   ruby -I <build>/ruby tests/ruby/smoke_test.rb
require "minitest/autorun"
require "genops/native"

class GenopsSmokeTest < Minitest::Test
  N = Genops::Native

  def setup
    @pipeline = N.genops_pipeline_new({ "service_name" => "ruby-smoke" })
    @exporter = N.genops_memory_exporter_new
    N.genops_pipeline_add_exporter(@pipeline, @exporter)
  end

  def teardown
    N.genops_pipeline_free(@pipeline)
  end

  def attributes(span_data)
    (0...N.genops_span_data_attribute_count(span_data)).to_h do |i|
      N.genops_span_data_attribute(span_data, i)
    end
  end

  def test_records_one_operation_span
    span = N.genops_operation_start(@pipeline, "chat", nil, nil, nil,
                                    { team: "ml", "customer_id" => "c-1" })
    N.genops_span_record_cost(span, { cost: 0.05, provider: "openai",
                                      tokens_input: 100, tokens_output: 50 })
    N.genops_span_end(span)
    N.genops_pipeline_flush(@pipeline, 5000)

    assert_equal 1, N.genops_memory_exporter_count(@exporter)
    data = N.genops_memory_exporter_get(@exporter, 0)
    assert_equal "chat", N.genops_span_data_name(data)
    attrs = attributes(data)
    assert_equal "ml", attrs["genops.team"]
    assert_equal "c-1", attrs["genops.customer_id"]
    assert_equal "ai.inference", attrs["genops.operation.type"]
    assert_in_delta 0.05, attrs["genops.cost.total"]
    assert_equal "USD", attrs["genops.cost.currency"]
    assert_equal 150, attrs["genops.tokens.total"]
    assert_equal 1, N.genops_pipeline_stats(@pipeline)[:spans_exported]
  end

  def test_errors_are_exceptions
    error = assert_raises(N::ConfigError) { N.genops_pipeline_new({ "bogus" => 1 }) }
    assert_match(/bogus/, error.message)
    assert_raises(N::ConfigError) do
      N.genops_operation_start(@pipeline, "x", nil, nil, nil, { nested: { a: 1 } })
    end
    span = N.genops_span_start(@pipeline, "s", nil)
    N.genops_span_end(span)
    assert_raises(N::SpanEndedError) { N.genops_span_end(span) }
  end

  # The shared attribute-list builder grows past its inline storage (24 items, 512
  # bytes) onto the heap: every value comes back.
  def test_attribute_lists_grow
    attrs = (0...60).to_h { |i| ["k#{i}", "v" * (i * 37)] }
    attrs["words"] = (0...600).map { |i| "w#{i}" }
    span = N.genops_operation_start(@pipeline, "big", nil, nil, nil, attrs)
    N.genops_span_record_cost(span, { cost: 1.0, metadata: (0...40).to_h { |i| ["key#{i}", i] } })
    N.genops_span_end(span)
    N.genops_pipeline_flush(@pipeline, 5000)
    got = attributes(N.genops_memory_exporter_get(@exporter, 0))
    60.times { |i| assert_equal "v" * (i * 37), got["genops.k#{i}"] }
    assert_equal (0...600).map { |i| "w#{i}" }, got["genops.words"]
    40.times { |i| assert_equal i, got["genops.cost.metadata.key#{i}"] }
  end
end
