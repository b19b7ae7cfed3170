# honeycomb.cmake - what the Honeycomb support needs beyond the core sources: the Events
# API encoder's tests and libFuzzer target, which read its bodies back with msgpack-c's
# unpacker (msgpack_check.c; the encoder writes msgpack itself, msgpack_put.h) and PyPI
# msgpack (test_honeycomb_encoding.py), and
# the Python suite against the strict local Honeycomb API (tests/peers/honeycomb_server.py),
# run through the Python package staged in <build>/python. Included last: it adds to
# targets of library.cmake, tests.cmake, protocols.cmake, fuzz.cmake and bindings.cmake.

# msgpack-c (Debian libmsgpack-dev; the library is libmsgpackc, or libmsgpack-c from 6.0),
# for the readers only: the library itself does not link it.
if(GENOPS_BUILD_TESTS OR GENOPS_FUZZ)
  find_path(MSGPACK_INCLUDE_DIR msgpack.h)
  find_library(MSGPACK_LIBRARY NAMES msgpack-c msgpackc)
  genops_require(MSGPACK_INCLUDE_DIR "msgpack-c's headers" libmsgpack-dev msgpack-devel)
  genops_require(MSGPACK_LIBRARY "msgpack-c" libmsgpack-dev msgpack-devel)
endif()

if(GENOPS_BUILD_TESTS)
  target_sources(test_honeycomb_encode PRIVATE ${CMAKE_SOURCE_DIR}/tests/c/msgpack_check.c)
  target_include_directories(test_honeycomb_encode SYSTEM PRIVATE ${MSGPACK_INCLUDE_DIR})
  target_link_libraries(test_honeycomb_encode PRIVATE ${MSGPACK_LIBRARY})
  target_link_libraries(test_honeycomb_encode PRIVATE genops_otlp_testlib) # otlp_gen
  # PyPI msgpack decodes otlp_sample's events.msgpack (protocols.cmake builds otlp_sample).
  genops_add_pytest(test_honeycomb_encoding_py test_honeycomb_encoding.py
                    "GENOPS_OTLP_SAMPLE=$<TARGET_FILE:otlp_sample>")
  if(TARGET genops_python)
    genops_add_pytest(test_honeycomb_py test_honeycomb.py "PYTHONPATH=${CMAKE_BINARY_DIR}/python")
  endif()
endif()

if(GENOPS_FUZZ)
  genops_add_fuzzer(fuzz_encode_honeycomb genops_fuzz_testlib)
  target_sources(fuzz_encode_honeycomb PRIVATE ${CMAKE_SOURCE_DIR}/tests/c/msgpack_check.c)
  target_include_directories(fuzz_encode_honeycomb PRIVATE ${CMAKE_SOURCE_DIR}/tests/c)
  target_include_directories(fuzz_encode_honeycomb SYSTEM PRIVATE ${MSGPACK_INCLUDE_DIR})
  target_link_libraries(fuzz_encode_honeycomb PRIVATE ${MSGPACK_LIBRARY})
endif()
