# libFuzzer targets for the core's own parsers (tests/fuzz/README.md): UTF-8 repair, the
# key=value lists of the OTEL_* environment, and the backends' answers (OTLP and HEC
# responses, Retry-After). They reuse genops_fuzz_core, the
# instrumented core that otlp.cmake (included before this file) builds.
if(GENOPS_FUZZ)
  foreach(fuzzer fuzz_utf8 fuzz_kv_list fuzz_responses)
    add_executable(${fuzzer} ${CMAKE_SOURCE_DIR}/tests/fuzz/${fuzzer}.c)
    target_include_directories(${fuzzer} PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
    target_compile_definitions(${fuzzer} PRIVATE _GNU_SOURCE)
    target_compile_options(${fuzzer} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${fuzzer} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${fuzzer} PRIVATE genops_fuzz_core)
    set(corpus ${CMAKE_BINARY_DIR}/corpus/${fuzzer})
    add_custom_target(run_${fuzzer}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${corpus}
      COMMAND $<TARGET_FILE:${fuzzer}> -max_total_time=${GENOPS_FUZZ_TIME} -max_len=4096
              -print_final_stats=1 ${corpus}
      DEPENDS ${fuzzer} USES_TERMINAL)
  endforeach()
endif()
