# benchmarks.cmake - the C benchmarks (benchmarks/README.md says how to run them):
# bench_pipeline (`make bench`: the hot path, its allocations and its callgrind count)
# and bench_budget (the budgets' update and check), always; with GENOPS_BUILD_TESTS also
# the encoders' (bench_encode over protocols.cmake's test helpers, bench_hec,
# bench_honeycomb) and the targets that run
# them beside pure Python and end to end (bench_encode_compare, bench_hec_compare,
# bench_honeycomb_compare).

# It sees the internal headers to plug in a do-nothing exporter.
add_executable(bench_pipeline ${CMAKE_SOURCE_DIR}/benchmarks/bench_pipeline.c)
target_include_directories(bench_pipeline PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
target_link_libraries(bench_pipeline PRIVATE genops_static)
# Count every allocation the library makes (malloc, calloc, realloc).
target_link_options(bench_pipeline PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc
                    -Wl,--wrap=realloc)
target_compile_definitions(bench_pipeline PRIVATE _GNU_SOURCE)

# What budgets cost on the application thread: the cost update and the start's check.
add_executable(bench_budget ${CMAKE_SOURCE_DIR}/benchmarks/bench_budget.c)
target_link_libraries(bench_budget PRIVATE genops_static)
target_compile_definitions(bench_budget PRIVATE _GNU_SOURCE)

if(NOT GENOPS_BUILD_TESTS)
  return()
endif()

# The encode benchmark: direct encoders, protobuf-c's packer, and gzip of the payloads
# with zlib and libdeflate; its batch and timing (bench_batch.c) are shared with
# bench_hec and bench_honeycomb.
find_package(ZLIB REQUIRED)
add_executable(bench_encode ${CMAKE_SOURCE_DIR}/benchmarks/bench_encode.c
                            ${CMAKE_SOURCE_DIR}/benchmarks/bench_batch.c)
target_compile_definitions(bench_encode PRIVATE _GNU_SOURCE)
target_link_libraries(bench_encode PRIVATE genops_otlp_testlib ZLIB::ZLIB ${LIBDEFLATE_LIBRARY})

# The HEC encode benchmark (benchmarks/README.md, "Splunk HEC").
add_executable(bench_hec ${CMAKE_SOURCE_DIR}/benchmarks/bench_hec.c
                         ${CMAKE_SOURCE_DIR}/benchmarks/bench_batch.c)
target_include_directories(bench_hec PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
target_compile_definitions(bench_hec PRIVATE _GNU_SOURCE)
target_link_libraries(bench_hec PRIVATE genops_static ${LIBDEFLATE_LIBRARY})

# The Honeycomb Events API encode benchmark and its end-to-end driver (a program on
# tests/tools/driver_common.c, like tests.cmake's OTLP and HEC drivers), benchmarks/README.md
# "Honeycomb".
add_executable(bench_honeycomb ${CMAKE_SOURCE_DIR}/benchmarks/bench_honeycomb.c
                               ${CMAKE_SOURCE_DIR}/benchmarks/bench_batch.c)
target_include_directories(bench_honeycomb PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
target_compile_definitions(bench_honeycomb PRIVATE _GNU_SOURCE)
target_link_libraries(bench_honeycomb PRIVATE genops_static)
add_executable(bench_honeycomb_driver ${CMAKE_SOURCE_DIR}/benchmarks/honeycomb_driver.c
                                      ${CMAKE_SOURCE_DIR}/tests/tools/driver_common.c)
target_include_directories(bench_honeycomb_driver PRIVATE ${CMAKE_SOURCE_DIR}/tests/tools)
target_compile_definitions(bench_honeycomb_driver PRIVATE _GNU_SOURCE)
target_link_libraries(bench_honeycomb_driver PRIVATE genops_static)

if(Python3_FOUND)
  # The C encoder beside the OpenTelemetry Python SDK's, one table.
  add_custom_target(bench_encode_compare
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/benchmarks/compare_encode.py
            --bench $<TARGET_FILE:bench_encode>
    DEPENDS bench_encode USES_TERMINAL)
  # The HEC encoder beside pure Python and end to end (tests.cmake's driver), one table.
  add_custom_target(bench_hec_compare
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/benchmarks/compare_hec.py
            --bench $<TARGET_FILE:bench_hec> --driver $<TARGET_FILE:genops_hec_driver>
    DEPENDS bench_hec genops_hec_driver USES_TERMINAL)
  # The Honeycomb encoder beside pure Python, and the Events API beside OTLP end to end.
  add_custom_target(bench_honeycomb_compare
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/benchmarks/compare_honeycomb.py
            --bench $<TARGET_FILE:bench_honeycomb> --driver $<TARGET_FILE:bench_honeycomb_driver>
    DEPENDS bench_honeycomb bench_honeycomb_driver USES_TERMINAL)
  # OTLP/gRPC beside OTLP/HTTP protobuf end to end (tests.cmake's driver), one table.
  add_custom_target(bench_otlp_grpc_compare
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/benchmarks/compare_otlp_grpc.py
            --driver $<TARGET_FILE:genops_otlp_driver>
    DEPENDS genops_otlp_driver USES_TERMINAL)
endif()
