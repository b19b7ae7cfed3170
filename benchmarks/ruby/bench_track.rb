# Ruby: Genops.track_enhanced + span.record_cost per operation, beside the do-nothing
# floor (the same block-taking method with the same keywords, doing nothing).
# Wall-clock time, the best of ROUNDS rounds taken in turn. Prints one Markdown row
# (benchmarks/README.md, "Ruby and Lua"). With a third argument (floor or genops),
# only that one, once, for benchmarks/callgrind_per_op.py.
#
#   ruby -I bindings/ruby/lib -I build/python/ruby benchmarks/ruby/bench_track.rb \
#     [ops] [rounds] [floor|genops]
require "genops"

OPS = Integer(ARGV.fetch(0, "100000"))
ROUNDS = Integer(ARGV.fetch(1, "5"))
ONLY = ARGV[2]

# The floor: what any Ruby wrapper of this shape costs before it calls genops.
class FloorSpan
  def record_cost(**kv) = kv
end
FLOOR_SPAN = FloorSpan.new
def floor_track(operation_name:, **attrs) = yield(FLOOR_SPAN)

def measure
  t = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
  OPS.times { |i| yield i }
  (Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - t).fdiv(OPS)
end

# An exporter that keeps nothing: memory would grow; console would write.
Genops.init(service_name: "bench", exporter_type: "otlp", otlp_endpoint: "http://127.0.0.1:9")
run = lambda do |track|
  measure do
    track.call(operation_name: "chat", team: "ml", customer_id: "c-1") do |span|
      span.record_cost(cost: 0.02, provider: "openai", model: "gpt-4o",
                       tokens_input: 100, tokens_output: 50)
    end
  end
end
genops = ->(**kw, &blk) { Genops.track_enhanced(**kw, &blk) }
floor = ->(**kw, &blk) { floor_track(**kw, &blk) }
tracks = { "floor" => floor, "genops" => genops }
if ONLY
  run.call(tracks.fetch(ONLY))
else
  best = Hash.new(Float::INFINITY)
  ROUNDS.times { tracks.each { |name, track| best[name] = [best[name], run.call(track)].min } }
  f, g = best["floor"], best["genops"]
  puts "| Ruby #{RUBY_VERSION} | #{OPS} | #{f.round} | #{g.round} | #{(g / f).round(2)}x |"
end
# Nothing listens on 127.0.0.1:9: the spans are never meant to arrive.
begin
  Genops.shutdown(timeout: 0)
rescue Genops::Error
  nil
end
