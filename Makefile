# The two commands of the README: `make demo` and `make test`. Both install what is
# missing first (tools/install-deps.sh). Other targets are for developers.
BUILD   ?= build
# Python packages live in a virtual environment (tools/install-deps.sh makes it), never
# in the system interpreter; pytest, the lint tools and every CMake configure use it.
VENV    := $(abspath $(BUILD))/venv
PYTHON  := $(VENV)/bin/python
JOBS    ?= 2
CMAKE   := cmake
CTEST   := ctest --output-on-failure --no-tests=error -j$(JOBS)

.PHONY: all deps build demo demo-c test test-c test-asan test-tsan test-valgrind test-python test-bindings \
        dist test-dist gem test-gem rock test-rock \
        bench bench-before-after fuzz lint lint-format lint-banned lint-tidy lint-cppcheck lint-ruff lint-mypy format \
        abi-check abi-baseline clean

all: build

deps:
	@VENV=$(VENV) tools/install-deps.sh

$(PYTHON):
	@VENV=$(VENV) tools/install-deps.sh

# One configure+build per flavour: debug (plain tests), asan (ASan+UBSan), tsan, release.
# PRECIOUS: the cache is a pattern-rule intermediate that make would otherwise delete.
.PRECIOUS: $(BUILD)/%/CMakeCache.txt
$(BUILD)/%/CMakeCache.txt: | $(PYTHON)
	$(CMAKE) -S . -B $(BUILD)/$* -DPython3_EXECUTABLE=$(PYTHON) $(CMAKE_ARGS_$*) >/dev/null

CMAKE_ARGS_debug   := -DCMAKE_BUILD_TYPE=Debug
CMAKE_ARGS_asan    := -DCMAKE_BUILD_TYPE=Debug -DGENOPS_SANITIZE=address
CMAKE_ARGS_tsan    := -DCMAKE_BUILD_TYPE=Debug -DGENOPS_SANITIZE=thread
CMAKE_ARGS_release := -DCMAKE_BUILD_TYPE=Release

build-%: $(BUILD)/%/CMakeCache.txt
	$(CMAKE) --build $(BUILD)/$* -j$(JOBS)

build: deps build-debug

# The demos build quietly (the log is shown only if the build fails). demo: `genops
# demo` on the Python package staged in $(BUILD)/python (the module only), into its
# embedded receivers; demo-c: the C program examples/demo.c over OTLP.
demo: deps $(BUILD)/python/CMakeCache.txt
	@$(CMAKE) --build $(BUILD)/python -j$(JOBS) --target genops_python > $(BUILD)/python/demo-build.log 2>&1 || \
	  { cat $(BUILD)/python/demo-build.log; exit 1; }
	@echo '$$ genops demo'
	@PYTHONPATH=$(abspath $(BUILD))/python/python $(PYTHON) -m genops demo

demo-c: deps $(BUILD)/release/CMakeCache.txt
	@$(CMAKE) --build $(BUILD)/release -j$(JOBS) > $(BUILD)/release/demo-build.log 2>&1 || \
	  { cat $(BUILD)/release/demo-build.log; exit 1; }
	@$(PYTHON) examples/run_demo.py $(BUILD)/release/genops_demo

test-c: build-debug
	cd $(BUILD)/debug && $(CTEST)

test-asan: build-asan
	cd $(BUILD)/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST)

test-tsan: build-tsan
	cd $(BUILD)/tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(CTEST)

# valgrind memcheck on every test labelled "valgrind" (cmake labels each C unit test);
# tools/valgrind_tests.py takes the list, commands and environment from ctest.
test-valgrind: build-debug
	$(PYTHON) tools/valgrind_tests.py $(BUILD)/debug

test: deps
	$(MAKE) --no-print-directory test-c test-asan test-tsan test-python test-bindings test-gem \
	  test-rock test-valgrind test-dist

# The language bindings (bindings/genops.i) in their own tree, without the C tests.
# tests/ruby/test_guide_example.py compares docs/ruby.md's example with the Python
# package's, as test_guide_example.py does for Lua below (tests/peers/guide_example.py).
# The Lua tests run under every Lua CMake built a module for ($(BUILD)/python/lua/<lua>:
# lua5.1, lua5.3, lua5.4, luajit; cmake/bindings.cmake). Debian's busted script starts
# whichever Lua /usr/bin/lua is, and its modules are installed for every version: each
# interpreter runs the script itself. tests/lua/test_nginx.py runs nginx's Lua module
# (LuaJIT) with the luajit module; test_guide_example.py compares docs/lua.md's example
# under every Lua with the Python package's (so genops_python is built here too);
# test_lifecycle.py closes a Lua state under a running pipeline. The spec runs once more
# under valgrind memcheck (lua5.4): no invalid access, nothing definitely lost.
BUSTED := /usr/bin/busted
LUAS := lua5.1 lua5.3 lua5.4 luajit
# pytest imports the package staged in $(BUILD)/python/python (never a pip install).
# The exporters' own suites in tests/python (test_otlp_*, test_hec_*, test_honeycomb_*)
# drive C programs and run under ctest (test-c), so they are not run twice here.
CMAKE_ARGS_python := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGENOPS_BUILD_TESTS=OFF \
                     -DGENOPS_BUILD_PYTHON=ON -DGENOPS_BUILD_RUBY=ON -DGENOPS_BUILD_LUA=ON
PYTHON_TESTS = $(filter-out tests/python/test_otlp_% tests/python/test_hec_% \
                 tests/python/test_honeycomb_%,$(wildcard tests/python/test_*.py))

test-python: $(BUILD)/python/CMakeCache.txt
	$(CMAKE) --build $(BUILD)/python -j$(JOBS) --target genops_python
	PYTHONPATH=$(abspath $(BUILD))/python/python $(PYTHON) -m pytest -q -p no:cacheprovider \
	  $(PYTHON_TESTS)

test-bindings: $(BUILD)/python/CMakeCache.txt
	$(CMAKE) --build $(BUILD)/python -j$(JOBS) --target genops_ruby genops_lua genops_python
	ruby -I $(BUILD)/python/ruby tests/ruby/smoke_test.rb
	ruby -I bindings/ruby/lib -I $(BUILD)/python/ruby tests/ruby/api_test.rb
	ruby -I bindings/ruby/lib -I $(BUILD)/python/ruby tests/ruby/rack_server_test.rb
	GENOPS_RUBY_MODULES=$(abspath $(BUILD))/python/ruby GENOPS_PYTHONPATH=$(abspath $(BUILD))/python/python \
	  $(PYTHON) -m pytest -q -p no:cacheprovider tests/ruby
	@for lua in $(LUAS); do \
	  [ -f $(BUILD)/python/lua/$$lua/genops_native.so ] || { echo "no $$lua module (no headers found): skipped"; continue; }; \
	  echo "Lua tests under $$lua"; \
	  command -v $$lua >/dev/null || { echo "$$lua: its module is built but the interpreter is missing"; exit 1; }; \
	  export LUA_PATH='bindings/lua/?.lua;tests/lua/?.lua;;' LUA_CPATH="$(abspath $(BUILD))/python/lua/$$lua/?.so;;"; \
	  $$lua tests/lua/smoke.lua && $$lua $(BUSTED) -o plainTerminal tests/lua/genops_spec.lua || exit 1; \
	done
	LUA_PATH='bindings/lua/?.lua;;' LUA_CPATH='$(abspath $(BUILD))/python/lua/lua5.4/?.so;;' \
	  valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
	  lua5.4 $(BUSTED) -o plainTerminal tests/lua/genops_spec.lua
	GENOPS_LUA_MODULES=$(abspath $(BUILD))/python/lua GENOPS_PYTHONPATH=$(abspath $(BUILD))/python/python \
	  $(PYTHON) -m pytest -q -p no:cacheprovider tests/lua

# The genops gem (docs/ruby.md, "Installing"): staged and built in $(BUILD)/gem by
# tools/stage_gem.sh. test-gem installs libgenops into $(BUILD)/gem-prefix and the gem
# into $(BUILD)/gem-home (its extension made by SWIG and linked through genops.pc, as
# on a user's machine), then runs the API test against the installed gem alone.
GEM_PREFIX := $(abspath $(BUILD))/gem-prefix
GEM_HOME_DIR := $(abspath $(BUILD))/gem-home
gem:
	tools/stage_gem.sh $(BUILD)/gem

test-gem: gem $(BUILD)/python/CMakeCache.txt
	$(CMAKE) --build $(BUILD)/python -j$(JOBS) --target genops genops_static
	$(CMAKE) --install $(BUILD)/python --prefix $(GEM_PREFIX) >/dev/null
	rm -rf $(GEM_HOME_DIR)
	PKG_CONFIG_PATH=$(GEM_PREFIX)/lib/pkgconfig gem install --local --no-document \
	  --install-dir $(GEM_HOME_DIR) $(BUILD)/gem/genops-*.gem
	GEM_PATH=$(GEM_HOME_DIR):$$(gem env gempath) LD_LIBRARY_PATH=$(GEM_PREFIX)/lib \
	  ruby tests/ruby/api_test.rb

# Every libFuzzer target for FUZZ_TIME seconds each (clang, its own build directory).
FUZZ_TIME ?= 20
fuzz: deps
	$(CMAKE) -S . -B $(BUILD)/fuzz -DCMAKE_C_COMPILER=clang -DGENOPS_FUZZ=ON -DPython3_EXECUTABLE=$(PYTHON) \
	  -DGENOPS_BUILD_TESTS=OFF -DGENOPS_FUZZ_TIME=$(FUZZ_TIME) >/dev/null
	$(CMAKE) --build $(BUILD)/fuzz -j$(JOBS)
	@for t in $$(ls tests/fuzz/fuzz_*.c | xargs -n1 basename | sed 's/\.c$$//'); do \
	  echo "fuzz $$t for $(FUZZ_TIME) s"; \
	  if ! $(CMAKE) --build $(BUILD)/fuzz --target run_$$t > $(BUILD)/fuzz/$$t.log 2>&1; then \
	    tail -40 $(BUILD)/fuzz/$$t.log; echo "fuzz: $$t failed"; exit 1; \
	  fi; \
	  grep -E "^Done" $(BUILD)/fuzz/$$t.log; \
	done

# Benchmarks print tables (benchmarks/README.md); they are never part of `make test`.
# The genops rock (docs/lua.md, "Installing"): tools/stage_rock.sh writes the rockspec
# into $(BUILD)/rock; `luarocks make` builds it for Lua 5.4 into $(ROCK_TREE) (the CMake
# tree build.luarocks in the repository root) and `luarocks pack` makes the binary rock.
# test-rock runs the busted spec against the installed rock alone.
ROCK_TREE := $(abspath $(BUILD))/rock-tree
ROCK_LUA := 5.4
rock:
	tools/stage_rock.sh $(BUILD)/rock
	rm -rf $(ROCK_TREE) build.luarocks
	luarocks --lua-version $(ROCK_LUA) make --tree $(ROCK_TREE) $(BUILD)/rock/genops-*.rockspec \
	  > $(BUILD)/rock/build.log 2>&1 || { tail -40 $(BUILD)/rock/build.log; exit 1; }
	cd $(BUILD)/rock && luarocks --lua-version $(ROCK_LUA) --tree $(ROCK_TREE) pack genops

# It builds the rock for Lua 5.1 too, into its own tree, and runs the spec under lua5.1
# and LuaJIT, which loads 5.1's modules (OpenResty, Kong).
test-rock: rock
	LUA_PATH='$(ROCK_TREE)/share/lua/$(ROCK_LUA)/?.lua;;' \
	  LUA_CPATH='$(ROCK_TREE)/lib/lua/$(ROCK_LUA)/?.so;;' lua$(ROCK_LUA) $(BUSTED) -o plainTerminal \
	  tests/lua/genops_spec.lua
	rm -rf $(ROCK_TREE)-5.1 build.luarocks
	luarocks --lua-version 5.1 make --tree $(ROCK_TREE)-5.1 $(BUILD)/rock/genops-*.rockspec \
	  > $(BUILD)/rock/build-5.1.log 2>&1 || { tail -40 $(BUILD)/rock/build-5.1.log; exit 1; }
	for lua in lua5.1 luajit; do \
	  LUA_PATH='$(ROCK_TREE)-5.1/share/lua/5.1/?.lua;;' LUA_CPATH='$(ROCK_TREE)-5.1/lib/lua/5.1/?.so;;' \
	    $$lua $(BUSTED) -o plainTerminal tests/lua/genops_spec.lua || exit 1; \
	done

# The distributions (docs/installing.md): the sdist, a wheel built from it (python -m
# build, isolated: scikit-build-core and PyPI's swig), repaired by auditwheel into a
# manylinux wheel that carries libcurl, libdeflate and what they load; the gem and the rock.
DIST ?= dist
dist: deps gem rock
	rm -rf $(DIST) && mkdir -p $(DIST)/unrepaired
	cp $(BUILD)/gem/genops-*.gem $(BUILD)/rock/genops-*.rock $(DIST)/
	$(PYTHON) -m build --outdir $(DIST)/unrepaired . > $(DIST)/build.log 2>&1 || \
	  { tail -40 $(DIST)/build.log; exit 1; }
	PATH=$(VENV)/bin:$$PATH $(VENV)/bin/auditwheel -v repair --wheel-dir $(DIST) \
	  $(DIST)/unrepaired/*.whl >> $(DIST)/build.log 2>&1 || { tail -40 $(DIST)/build.log; exit 1; }
	mv $(DIST)/unrepaired/*.tar.gz $(DIST)/ && rm -rf $(DIST)/unrepaired
	for sdist in $(DIST)/*.tar.gz; do $(PYTHON) tools/sdist_unambiguous.py $$sdist || exit 1; done
	@ls -l $(DIST)/*.whl $(DIST)/*.tar.gz $(DIST)/*.gem $(DIST)/*.rock

test-dist: dist
	GENOPS_DIST=$(abspath $(DIST)) $(PYTHON) -m pytest -q -p no:cacheprovider tests/dist

bench: build-release
	$(BUILD)/release/bench_pipeline
	valgrind --tool=callgrind --toggle-collect=run_ops --callgrind-out-file=/dev/null \
	  $(BUILD)/release/bench_pipeline --callgrind 20000 2>&1 | grep Collected

# The working tree beside revision BEFORE (default: main before issue 19's work), in one
# run: benchmarks/before_after.py, then bench_track.py with the earlier build's row.
BEFORE ?= 3743eb8
bench-before-after: build-release
	$(CMAKE) -S . -B $(BUILD)/pyrel -DCMAKE_BUILD_TYPE=Release -DGENOPS_BUILD_TESTS=OFF \
	  -DGENOPS_BUILD_PYTHON=ON > /dev/null
	$(CMAKE) --build $(BUILD)/pyrel -j$(JOBS) --target genops_python > /dev/null
	benchmarks/build_before.sh $(BEFORE) $(abspath $(BUILD))/before
	$(PYTHON) benchmarks/before_after.py --before $(BUILD)/before --release $(BUILD)/release \
	  --pyrel $(BUILD)/pyrel/python
	$(PYTHON) benchmarks/python/bench_track.py --genops-path $(BUILD)/pyrel/python \
	  --before-path $(BUILD)/before/pyrel/python

# Every check, each its own target (make -k lint reports them all); lint fails if any does.
C_SOURCES := core/src/*.c core/src/*.h core/src/*/*.c core/src/*/*.h core/include/*.h \
             tests/c/*.c tests/c/*.h tests/tools/*.c tests/tools/*.h tests/fuzz/*.c \
             tests/install/*.c benchmarks/*.c benchmarks/*.h examples/*.c \
             bindings/common/*.c bindings/common/*.h bindings/python/*.c bindings/python/*.h
PY_SOURCES := python tests benchmarks tools
lint: deps
	$(MAKE) --no-print-directory lint-format lint-banned lint-tidy lint-cppcheck lint-ruff lint-mypy

lint-format:
	clang-format --dry-run -Werror $(C_SOURCES)

# sprintf, vsprintf, strcpy and strcat write without a bound: snprintf, or memcpy of a
# known length, instead.
BANNED := \b(sprintf|vsprintf|strcpy|strcat)[[:space:]]*\(
lint-banned:
	@! grep -rnE '$(BANNED)' core bindings tests benchmarks examples \
	  --include='*.c' --include='*.h' --include='*.i' || \
	  { echo "lint: banned string function (use snprintf or memcpy with a known length)"; exit 1; }

# clang-tidy (.clang-tidy) with the debug build's compile_commands.json.
lint-tidy: $(BUILD)/debug/CMakeCache.txt
	ls core/src/*.c core/src/*/*.c | xargs -P$(JOBS) -n4 clang-tidy -p $(BUILD)/debug --quiet

lint-cppcheck:
	cppcheck --quiet --inline-suppr --error-exitcode=1 --enable=warning,performance,portability \
	  --suppress=missingIncludeSystem -I core/include -I core/src core/src

lint-ruff: | $(PYTHON)
	$(VENV)/bin/ruff check $(PY_SOURCES)
	$(VENV)/bin/ruff format --check $(PY_SOURCES)

# mypy over the package and its .pyi stubs (the SWIG modules' types).
lint-mypy: | $(PYTHON)
	$(VENV)/bin/mypy python/genops

format:
	clang-format -i $(C_SOURCES)

# ABI (cmake/install.cmake): abidiff of the debug build's libgenops.so against
# core/abi/libgenops.abi; abi-baseline rewrites the baseline from the current tree.
abi-check: build-debug
	$(CMAKE) --build $(BUILD)/debug --target abi_check

abi-baseline: build-debug
	$(CMAKE) --build $(BUILD)/debug --target abi_baseline

clean:
	rm -rf $(BUILD)
