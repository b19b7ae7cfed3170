# otlp.cmake - what the OTLP encoders need beyond the library: the protobuf-c reference
# generated from core/proto, their tests' helpers, the sample program the official
# OpenTelemetry classes decode (tests/python/test_otlp_encoding.py), the encode
# benchmark and the libFuzzer targets.
#
# The library itself needs nothing from here: otlp_encode_pb.c writes the wire format
# directly. protobuf-c (protoc-c's generated code + libprotobuf-c) is linked only into
# tests, fuzzers and benchmarks, as the reference decoder and the differential oracle.

option(GENOPS_FUZZ "Build the libFuzzer targets (needs clang)" OFF)

if(NOT GENOPS_BUILD_TESTS AND NOT GENOPS_FUZZ)
  return()
endif()

# ---- protobuf-c, generated at build time --------------------------------------------
find_program(PROTOC_C protoc-c REQUIRED)
find_library(PROTOBUF_C_LIBRARY protobuf-c REQUIRED)
find_path(PROTOBUF_C_INCLUDE_DIR protobuf-c/protobuf-c.h REQUIRED)

set(OTLP_PROTO_DIR ${CMAKE_SOURCE_DIR}/core/proto)
set(OTLP_GEN_DIR ${CMAKE_BINARY_DIR}/otlp_proto)
set(OTLP_GEN_SOURCES)
set(OTLP_GEN_HEADERS)
foreach(proto common/v1/common resource/v1/resource trace/v1/trace
              collector/trace/v1/trace_service)
  set(src ${OTLP_PROTO_DIR}/opentelemetry/proto/${proto}.proto)
  set(out ${OTLP_GEN_DIR}/opentelemetry/proto/${proto}.pb-c)
  add_custom_command(
    OUTPUT ${out}.c ${out}.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${OTLP_GEN_DIR}
    COMMAND ${PROTOC_C} --c_out=${OTLP_GEN_DIR} -I${OTLP_PROTO_DIR} ${src}
    DEPENDS ${src}
    COMMENT "protoc-c ${proto}.proto"
    VERBATIM)
  list(APPEND OTLP_GEN_SOURCES ${out}.c)
  list(APPEND OTLP_GEN_HEADERS ${out}.h)
endforeach()
# One target owns the generated code, so that parallel builds never run protoc-c twice.
# Generated code is not ours to keep warning-free.
add_library(genops_otlp_proto STATIC ${OTLP_GEN_SOURCES} ${OTLP_GEN_HEADERS})
target_compile_options(genops_otlp_proto PRIVATE -w)
target_include_directories(genops_otlp_proto PUBLIC ${OTLP_GEN_DIR} ${PROTOBUF_C_INCLUDE_DIR})
target_link_libraries(genops_otlp_proto PUBLIC ${PROTOBUF_C_LIBRARY})

# The reference (otlp_pbc), the batch generator (otlp_gen) and the JSON validator
# (json_check), shared by tests, fuzzers, the sample program and the benchmark.
function(genops_otlp_testlib name core)
  add_library(${name} STATIC ${CMAKE_SOURCE_DIR}/tests/c/otlp_pbc.c
                              ${CMAKE_SOURCE_DIR}/tests/c/otlp_gen.c
                              ${CMAKE_SOURCE_DIR}/tests/c/json_check.c)
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/core/src
                                            ${CMAKE_SOURCE_DIR}/tests/c)
  target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
  target_link_libraries(${name} PUBLIC ${core} genops_otlp_proto)
endfunction()

if(GENOPS_BUILD_TESTS)
  genops_otlp_testlib(genops_otlp_testlib genops_static)
  foreach(test test_encode_otlp_pb test_encode_otlp_json test_json test_numfmt)
    if(TARGET ${test})
      target_link_libraries(${test} PRIVATE genops_otlp_testlib)
    endif()
  endforeach()

  # Records fixed spans, writes their protobuf and JSON encodings; the Python test
  # decodes them with the official OpenTelemetry classes. It finds the program through
  # GENOPS_OTLP_SAMPLE (set here for ctest) or, run by hand, under build/*/.
  add_executable(otlp_sample ${CMAKE_SOURCE_DIR}/tests/tools/otlp_sample.c)
  target_include_directories(otlp_sample PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
  target_compile_definitions(otlp_sample PRIVATE _GNU_SOURCE)
  target_link_libraries(otlp_sample PRIVATE genops_static)

  genops_add_pytest(test_otlp_encoding_py test_otlp_encoding.py
                    "GENOPS_OTLP_SAMPLE=$<TARGET_FILE:otlp_sample>")

  # The encode benchmark (benchmarks/README.md): direct encoders, protobuf-c's packer,
  # and gzip of the payloads with zlib and libdeflate; its batch and timing
  # (bench_batch.c) are shared with bench_hec (hec.cmake).
  find_package(ZLIB REQUIRED)
  find_library(OTLP_BENCH_LIBDEFLATE deflate REQUIRED)
  add_executable(bench_encode ${CMAKE_SOURCE_DIR}/benchmarks/bench_encode.c
                              ${CMAKE_SOURCE_DIR}/benchmarks/bench_batch.c)
  target_compile_definitions(bench_encode PRIVATE _GNU_SOURCE)
  target_link_libraries(bench_encode PRIVATE genops_otlp_testlib ZLIB::ZLIB
                                             ${OTLP_BENCH_LIBDEFLATE})
  # `cmake --build <dir> --target bench_encode_compare`: the C benchmark beside the
  # OpenTelemetry Python SDK's encoder, one table.
  if(Python3_FOUND)
    add_custom_target(bench_encode_compare
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/benchmarks/compare_encode.py
              --bench $<TARGET_FILE:bench_encode>
      DEPENDS bench_encode USES_TERMINAL)
  endif()
endif()

# ---- libFuzzer targets (tests/fuzz/README.md) ------------------------------------------
if(GENOPS_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "GENOPS_FUZZ needs clang: -DCMAKE_C_COMPILER=clang")
  endif()
  set(GENOPS_FUZZ_TIME 30 CACHE STRING "Seconds each fuzz_* run target fuzzes")
  # genops_add_fuzzer(name lib...): tests/fuzz/<name>.c as a libFuzzer target linked
  # with lib..., and run_<name>, which fuzzes it for GENOPS_FUZZ_TIME seconds from
  # build/fuzz/corpus/<name> (a corpus that grows from run to run). For every cmake
  # part that has fuzzers; they are included after this file.
  function(genops_add_fuzzer name)
    add_executable(${name} ${CMAKE_SOURCE_DIR}/tests/fuzz/${name}.c)
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
    target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${ARGN})
    set(corpus ${CMAKE_BINARY_DIR}/corpus/${name})
    add_custom_target(run_${name}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${corpus}
      COMMAND $<TARGET_FILE:${name}> -max_total_time=${GENOPS_FUZZ_TIME} -max_len=4096
              -print_final_stats=1 ${corpus}
      DEPENDS ${name} USES_TERMINAL)
  endfunction()
  # The core again, instrumented for coverage and ASan+UBSan.
  set(fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
  add_library(genops_fuzz_core STATIC ${GENOPS_CORE_SOURCES})
  target_compile_options(genops_fuzz_core PRIVATE ${fuzz_flags})
  target_compile_definitions(genops_fuzz_core PRIVATE GENOPS_BUILDING _GNU_SOURCE)
  target_include_directories(genops_fuzz_core PUBLIC ${CMAKE_SOURCE_DIR}/core/include
                                              PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
  get_target_property(core_links genops_static LINK_LIBRARIES)
  target_link_libraries(genops_fuzz_core PUBLIC ${core_links})
  genops_otlp_testlib(genops_fuzz_testlib genops_fuzz_core)
  target_compile_options(genops_fuzz_testlib PRIVATE ${fuzz_flags})

  genops_add_fuzzer(fuzz_otlp_pb genops_fuzz_testlib)
  genops_add_fuzzer(fuzz_otlp_json genops_fuzz_testlib)
endif()
