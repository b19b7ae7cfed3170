# hec.cmake - what the Splunk HEC exporter's tests, fuzzer and benchmark need beyond the
# library: the strict JSON validator (tests/c/json_check.c) as the encoder test's
# independent decoder, the driver program the pytest suite runs against
# tests/peers/hec_server.py, the benchmark, and the libFuzzer target.
if(GENOPS_BUILD_TESTS AND TARGET test_encode_hec)
  target_sources(test_encode_hec PRIVATE ${CMAKE_SOURCE_DIR}/tests/c/json_check.c)
endif()
