# Builds genops/native: SWIG (4.0 or later) turns genops.i into the wrapper, which is
# compiled with the shared binding code (common/) and linked to libgenops, found by
# pkg-config (set PKG_CONFIG_PATH to <prefix>/lib/<arch>/pkgconfig for a private
# prefix). The gem's files are staged by `make gem` (tools/stage_gem.sh).
require "mkmf"

here = __dir__
abort "genops: SWIG 4 is needed to build the extension (Debian: swig)" unless find_executable("swig")
abort "genops: libgenops not found by pkg-config (install it; set PKG_CONFIG_PATH)" unless pkg_config("genops")

wrapper = File.join(here, "genops_wrap.c")
swig = ["swig", "-ruby", "-I#{here}", "-I#{File.join(here, 'include')}", "-o", wrapper,
        File.join(here, "genops.i")]
system(*swig) or abort "genops: #{swig.join(' ')} failed"

$INCFLAGS << " -I#{here} -I#{File.join(here, 'include')} -I#{File.join(here, 'common')}"
$CFLAGS << " -std=gnu11 -fvisibility=hidden"
$srcs = ["genops_wrap.c"] + Dir[File.join(here, "common", "*.c")].map { |f| "common/#{File.basename(f)}" }
$VPATH << "$(srcdir)/common"
$objs = $srcs.map { |f| File.basename(f, ".c") + ".o" }
create_makefile("genops/native")
