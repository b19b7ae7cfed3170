# hec.cmake - what the Splunk HEC exporter's tests, fuzzer and benchmark need beyond the
# library: the strict JSON validator (tests/c/json_check.c) as the encoder test's
# independent decoder, the driver program the pytest suite runs against
# tests/peers/hec_server.py, the benchmark, and the libFuzzer target.
if(GENOPS_BUILD_TESTS AND TARGET test_encode_hec)
  target_sources(test_encode_hec PRIVATE ${CMAKE_SOURCE_DIR}/tests/c/json_check.c)
endif()

if(GENOPS_BUILD_TESTS)
  # Records spans into a pipeline with one HEC exporter and prints the pipeline's and
  # the exporter's stats as JSON (or runs genops_hec_validate); the pytest suite drives
  # it against tests/peers/hec_server.py, and the benchmark's end-to-end row uses it.
  add_executable(genops_hec_driver ${CMAKE_SOURCE_DIR}/tests/tools/hec_driver.c
                                   ${CMAKE_SOURCE_DIR}/tests/tools/driver_common.c)
  target_compile_definitions(genops_hec_driver PRIVATE _GNU_SOURCE)
  target_link_libraries(genops_hec_driver PRIVATE genops_static)

  # The ctypes test loads libgenops.so into the interpreter: not a sanitizer build's.
  if(GENOPS_SANITIZE STREQUAL "")
    set(_hec_lib $<TARGET_FILE:genops>)
  else()
    set(_hec_lib "")
  endif()
  genops_add_pytest(test_hec_exporter_py test_hec_exporter.py
                    "GENOPS_HEC_DRIVER=$<TARGET_FILE:genops_hec_driver>"
                    "GENOPS_OTLP_DRIVER=$<TARGET_FILE:genops_otlp_driver>"
                    "GENOPS_SHARED_LIB=${_hec_lib}")
endif()

# The encoder's libFuzzer target (tests/fuzz/README.md). genops_add_fuzzer and the
# instrumented core come from otlp.cmake, which is included after this file: the call
# is deferred to the end of the top-level CMakeLists.txt.
if(GENOPS_FUZZ)
  function(genops_hec_fuzzers)
    genops_add_fuzzer(fuzz_encode_hec genops_fuzz_testlib)
  endfunction()
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL genops_hec_fuzzers)
endif()

if(GENOPS_BUILD_TESTS)
  # The encode benchmark (benchmarks/README.md, "Splunk HEC"); `cmake --build <dir>
  # --target bench_hec_compare` runs it beside pure Python and end to end, one table.
  find_library(HEC_BENCH_LIBDEFLATE deflate REQUIRED)
  add_executable(bench_hec ${CMAKE_SOURCE_DIR}/benchmarks/bench_hec.c
                           ${CMAKE_SOURCE_DIR}/benchmarks/bench_batch.c)
  target_include_directories(bench_hec PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
  target_compile_definitions(bench_hec PRIVATE _GNU_SOURCE)
  target_link_libraries(bench_hec PRIVATE genops_static ${HEC_BENCH_LIBDEFLATE})
  if(Python3_FOUND)
    add_custom_target(bench_hec_compare
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/benchmarks/compare_hec.py
              --bench $<TARGET_FILE:bench_hec> --driver $<TARGET_FILE:genops_hec_driver>
      DEPENDS bench_hec genops_hec_driver USES_TERMINAL)
  endif()
endif()
