# protocols.cmake - what the OTLP and HEC encoders' tests, fuzzers and benchmarks need
# beyond the library: the protobuf-c reference generated from core/proto
# (genops_otlp_proto), the shared test helpers (genops_otlp_testlib: the reference, the
# batch generator and the strict JSON validator, tests/c/json_check.c, which is the
# JSON encoders' independent decoder), their links into the encoder tests, and the
# sample program that the official OpenTelemetry classes decode
# (tests/python/test_otlp_encoding.py).
#
# The library itself needs nothing from here: otlp_encode_pb.c writes the wire format
# directly. protobuf-c (protoc-c's generated code + libprotobuf-c) is linked only into
# tests, fuzzers and benchmarks, as the reference decoder and the differential oracle.
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

# genops_otlp_testlib(name core): the reference (otlp_pbc), the batch generator
# (otlp_gen) and the JSON validator (json_check) over the library target core, shared
# by tests, fuzzers (fuzz.cmake, over the instrumented core), the sample program and the
# benchmarks.
function(genops_otlp_testlib name core)
  add_library(${name} STATIC ${CMAKE_SOURCE_DIR}/tests/c/otlp_pbc.c
                              ${CMAKE_SOURCE_DIR}/tests/c/otlp_gen.c
                              ${CMAKE_SOURCE_DIR}/tests/c/json_check.c)
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/core/src
                                            ${CMAKE_SOURCE_DIR}/tests/c)
  target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
  target_link_libraries(${name} PUBLIC ${core} genops_otlp_proto)
endfunction()

if(NOT GENOPS_BUILD_TESTS)
  return()
endif()

genops_otlp_testlib(genops_otlp_testlib genops_static)
foreach(test test_encode_otlp_pb test_encode_otlp_json test_json test_numfmt)
  target_link_libraries(${test} PRIVATE genops_otlp_testlib)
endforeach()
# The HEC encoder's test decodes with the JSON validator alone.
target_sources(test_encode_hec PRIVATE ${CMAKE_SOURCE_DIR}/tests/c/json_check.c)

# Records fixed spans, writes their protobuf and JSON encodings; the Python test
# decodes them with the official OpenTelemetry classes. It finds the program through
# GENOPS_OTLP_SAMPLE (set here for ctest) or, run by hand, under build/*/.
add_executable(otlp_sample ${CMAKE_SOURCE_DIR}/tests/tools/otlp_sample.c)
target_include_directories(otlp_sample PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
target_compile_definitions(otlp_sample PRIVATE _GNU_SOURCE)
target_link_libraries(otlp_sample PRIVATE genops_static)

genops_add_pytest(test_otlp_encoding_py test_otlp_encoding.py
                  "GENOPS_OTLP_SAMPLE=$<TARGET_FILE:otlp_sample>")
