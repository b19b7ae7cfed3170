# honeycomb.cmake - what the Honeycomb support needs beyond the core sources: msgpack-c
# for the Events API encoder, the encoder's tests (msgpack_check.c: msgpack-c's unpacker
# as the reader; PyPI msgpack in test_honeycomb_encoding.py) and libFuzzer target, and
# the Python suite against the strict local Honeycomb API (tests/peers/honeycomb_server.py),
# run through the Python package staged in <build>/python. Included last: it adds to
# targets of library.cmake, tests.cmake, protocols.cmake, fuzz.cmake and bindings.cmake.

# msgpack-c (Debian libmsgpack-dev; the library is libmsgpackc, or libmsgpack-c from 6.0).
find_path(MSGPACK_INCLUDE_DIR msgpack.h)
find_library(MSGPACK_LIBRARY NAMES msgpack-c msgpackc)
genops_require(MSGPACK_INCLUDE_DIR "msgpack-c's headers" libmsgpack-dev msgpack-devel)
genops_require(MSGPACK_LIBRARY "msgpack-c" libmsgpack-dev msgpack-devel)
target_include_directories(genops_objects SYSTEM PRIVATE ${MSGPACK_INCLUDE_DIR})
target_link_libraries(genops PRIVATE ${MSGPACK_LIBRARY})
target_link_libraries(genops_static PUBLIC ${MSGPACK_LIBRARY})

if(GENOPS_BUILD_TESTS)
  target_sources(test_honeycomb_encode PRIVATE ${CMAKE_SOURCE_DIR}/tests/c/msgpack_check.c)
  target_link_libraries(test_honeycomb_encode PRIVATE genops_otlp_testlib) # otlp_gen
  # PyPI msgpack decodes otlp_sample's events.msgpack (protocols.cmake builds otlp_sample).
  genops_add_pytest(test_honeycomb_encoding_py test_honeycomb_encoding.py
                    "GENOPS_OTLP_SAMPLE=$<TARGET_FILE:otlp_sample>")
  if(TARGET genops_python)
    genops_add_pytest(test_honeycomb_py test_honeycomb.py "PYTHONPATH=${CMAKE_BINARY_DIR}/python")
  endif()
endif()

if(GENOPS_FUZZ)
  # fuzz.cmake copied genops_static's libraries before the lines above added msgpack-c.
  target_link_libraries(genops_fuzz_core PUBLIC ${MSGPACK_LIBRARY})
  genops_add_fuzzer(fuzz_encode_honeycomb genops_fuzz_testlib)
  target_sources(fuzz_encode_honeycomb PRIVATE ${CMAKE_SOURCE_DIR}/tests/c/msgpack_check.c)
  target_include_directories(fuzz_encode_honeycomb PRIVATE ${CMAKE_SOURCE_DIR}/tests/c)
endif()
