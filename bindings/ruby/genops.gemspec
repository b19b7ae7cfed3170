# The genops gem: lib/ (the Ruby API) and ext/genops (the native extension, made by
# SWIG from bindings/genops.i at install time and linked to an installed libgenops
# found by pkg-config). `make gem` stages the gem's files in build/gem and builds it
# there; docs/ruby.md, "Installing".
Gem::Specification.new do |s|
  s.name = "genops"
  s.version = File.read(File.join(__dir__, "VERSION")).strip
  s.summary = "GenOps governance telemetry (cost, policy, budget, evaluation) as OpenTelemetry spans"
  s.authors = ["genops-native"]
  s.license = "Apache-2.0"
  s.required_ruby_version = ">= 3.0"
  s.files = Dir["lib/**/*.rb", "ext/genops/**/*.{rb,i,swg,c,h,def}", "VERSION"]
  s.extensions = ["ext/genops/extconf.rb"]
  s.require_paths = ["lib"]
end
