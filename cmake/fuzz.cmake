# fuzz.cmake - every libFuzzer target (tests/fuzz/README.md), with GENOPS_FUZZ=ON and
# clang (`make fuzz`): the core compiled once more with coverage and ASan+UBSan
# (genops_fuzz_core), the test helpers over it (genops_fuzz_testlib, protocols.cmake's
# genops_otlp_testlib), and for each target tests/fuzz/<name>.c and run_<name>.
if(NOT GENOPS_FUZZ)
  return()
endif()
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "GENOPS_FUZZ needs clang: -DCMAKE_C_COMPILER=clang")
endif()
set(GENOPS_FUZZ_TIME 30 CACHE STRING "Seconds each fuzz_* run target fuzzes")

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

# genops_add_fuzzer(name lib...): tests/fuzz/<name>.c as a libFuzzer target linked with
# lib..., and run_<name>, which fuzzes it for GENOPS_FUZZ_TIME seconds from
# build/fuzz/corpus/<name> (a corpus that grows from run to run).
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

# The encoders, differential against protobuf-c and the JSON validator.
genops_add_fuzzer(fuzz_otlp_pb genops_fuzz_testlib)
genops_add_fuzzer(fuzz_otlp_json genops_fuzz_testlib)
genops_add_fuzzer(fuzz_encode_hec genops_fuzz_testlib)
# The core's own parsers: UTF-8 repair, the key=value lists of the OTEL_* environment,
# and the backends' answers (OTLP and HEC responses, Retry-After).
genops_add_fuzzer(fuzz_utf8 genops_fuzz_core)
genops_add_fuzzer(fuzz_kv_list genops_fuzz_core)
genops_add_fuzzer(fuzz_responses genops_fuzz_core)
# The disk spool's segment reader (spool/spool_record.c, spool/spool.c).
genops_add_fuzzer(fuzz_spool_segment genops_fuzz_core)
# The redis budget store's reply reader (budget/resp.c).
genops_add_fuzzer(fuzz_resp genops_fuzz_core)
