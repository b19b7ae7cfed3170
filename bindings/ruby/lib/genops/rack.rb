# frozen_string_literal: true

require "genops"

module Genops
  # Rack middleware: one operation per request, named "<METHOD> <route>" (the router's
  # route pattern when the app sets one in env, else the path), with http.* attributes;
  # a raising app ends it with status ERROR and the exception propagates.
  #
  #   use Genops::Rack, team: "web"
  class Rack
    # Where routers leave the matched pattern (Sinatra; Rails' journey sets its own).
    ROUTE_KEYS = %w[sinatra.route genops.route].freeze

    def initialize(app, operation_type: nil, **attributes)
      @app = app
      @operation_type = operation_type
      @attributes = attributes
    end

    def call(env)
      return @app.call(env) unless Genops.initialized?

      method = env["REQUEST_METHOD"].to_s
      Genops.track_enhanced(operation_name: "#{method} #{route(env)}",
                            operation_type: @operation_type, "http.method": method,
                            **@attributes) do |span|
        status, headers, body = @app.call(env)
        span.set_attribute("http.status_code", status.to_i)
        [status, headers, body]
      end
    end

    private

    def route(env)
      key = ROUTE_KEYS.find { |k| env[k] }
      key ? env[key].to_s.sub(/\A[A-Z]+ /, "") : env["PATH_INFO"].to_s
    end
  end
end
