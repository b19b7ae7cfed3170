# http.cmake - the HTTP transport's dependencies (libcurl, libdeflate) and the OTLP
# exporter's test driver and pytest suite.
#
# genops_objects is an OBJECT library: it only needs the include directories; the
# libraries are linked into genops (PRIVATE: its ABI exports only genops_*) and
# genops_static (PUBLIC: whoever links the archive needs them too).
find_package(CURL 7.85 REQUIRED) # CURLOPT_PROTOCOLS_STR appeared in 7.85.0
find_path(LIBDEFLATE_INCLUDE_DIR libdeflate.h REQUIRED)
find_library(LIBDEFLATE_LIBRARY deflate REQUIRED)

target_include_directories(genops_objects PRIVATE ${CURL_INCLUDE_DIRS} ${LIBDEFLATE_INCLUDE_DIR})
target_link_libraries(genops PRIVATE CURL::libcurl ${LIBDEFLATE_LIBRARY})
target_link_libraries(genops_static PUBLIC CURL::libcurl ${LIBDEFLATE_LIBRARY})

if(GENOPS_BUILD_TESTS)
  # A small program that records spans into a pipeline with one OTLP exporter and prints
  # the pipeline's stats as JSON; tests/python/test_otlp_exporter.py drives it against
  # tests/peers/otlp_server.py, and benchmarks/README.md's end-to-end number comes from it.
  add_executable(genops_otlp_driver ${CMAKE_SOURCE_DIR}/tests/tools/otlp_driver.c
                                    ${CMAKE_SOURCE_DIR}/tests/tools/driver_common.c)
  target_compile_definitions(genops_otlp_driver PRIVATE _GNU_SOURCE)
  target_link_libraries(genops_otlp_driver PRIVATE genops_static)

  genops_add_pytest(test_otlp_exporter_py test_otlp_exporter.py
                    "GENOPS_OTLP_DRIVER=$<TARGET_FILE:genops_otlp_driver>")
endif()
