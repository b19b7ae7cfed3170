# Genops::Rack under a real server: Debian's puma (Puma::Server in this process, bound
# to 127.0.0.1 on a free port) serving a Rack::Builder app; requests by Net::HTTP.
# Each request is one operation in the memory exporter, named by method and route.
#
#   ruby -I bindings/ruby/lib -I <build>/ruby tests/ruby/rack_server_test.rb
require "minitest/autorun"
require "net/http"
require "puma"
require "puma/server"
require "rack"
require "genops"
require "genops/rack"

class GenopsRackServerTest < Minitest::Test
  def setup
    Genops.clear_default_attributes
    Genops.init(service_name: "rack-app", exporter_type: "memory")
    app = Rack::Builder.new do
      use Genops::Rack, team: "web"
      map("/chat") { run ->(_env) { [200, { "content-type" => "text/plain" }, ["hi"]] } }
      map("/fail") { run ->(_env) { raise "model unavailable" } }
    end.to_app
    @server = Puma::Server.new(app, Puma::Events.strings, min_threads: 1, max_threads: 4)
    @port = @server.add_tcp_listener("127.0.0.1", 0).addr[1]
    @thread = @server.run
  end

  def teardown
    @server.stop(true)
    Genops.shutdown
  end

  def get(path)
    Net::HTTP.start("127.0.0.1", @port, open_timeout: 5, read_timeout: 5) { |h| h.get(path) }
  end

  def test_one_operation_per_request
    assert_equal "200", get("/chat").code
    assert_equal "500", get("/fail").code
    3.times { assert_equal "200", get("/chat").code }
    Genops.flush(timeout: 5)
    spans = Genops.finished_spans
    assert_equal ["GET /chat", "GET /fail", "GET /chat", "GET /chat", "GET /chat"],
                 spans.map { |s| s[:name] }
    assert_equal "web", spans[0][:attributes]["genops.team"]
    assert_equal 200, spans[0][:attributes]["http.status_code"]
    assert_equal Genops::Native::GENOPS_SPAN_STATUS_ERROR, spans[1][:status][0]
    assert_equal "model unavailable", spans[1][:status][1]
  end
end
