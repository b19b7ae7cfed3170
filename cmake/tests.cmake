# tests.cmake - the tests that ctest runs: one cmocka program per tests/c/test_*.c,
# genops_add_pytest for the pytest suites that drive C programs, and those programs (the
# OTLP and HEC drivers of tests/tools/, which the benchmarks' end-to-end rows use too).
# What the encoder tests need beyond this (the protobuf-c reference, the JSON
# validator, the sample program) is protocols.cmake's. Only with GENOPS_BUILD_TESTS.
if(NOT GENOPS_BUILD_TESTS)
  return()
endif()
enable_testing()
find_library(CMOCKA_LIBRARY cmocka REQUIRED)

file(GLOB GENOPS_C_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/c/test_*.c)
foreach(test_source ${GENOPS_C_TESTS})
  get_filename_component(test_name ${test_source} NAME_WE)
  add_executable(${test_name} ${test_source})
  # Tests see the internal headers: they check modules, not only the public API.
  target_include_directories(${test_name} PRIVATE ${CMAKE_SOURCE_DIR}/core/src
                                                  ${CMAKE_SOURCE_DIR}/tests/c)
  target_compile_definitions(${test_name} PRIVATE _GNU_SOURCE)
  target_link_libraries(${test_name} PRIVATE genops_static ${CMOCKA_LIBRARY})
  add_test(NAME ${test_name} COMMAND ${test_name})
  # LABELS valgrind: `make test-valgrind` (tools/valgrind_tests.py) runs it under memcheck.
  set_tests_properties(${test_name} PROPERTIES TIMEOUT 300 LABELS valgrind
    ENVIRONMENT "GENOPS_SOURCE_DIR=${CMAKE_SOURCE_DIR};GENOPS_SHARED_LIB=$<TARGET_FILE:genops>")
endforeach()

# genops_add_pytest(name file [VAR=value]...): a test that runs tests/python/<file> with
# pytest, with those environment variables (where the programs it drives were built).
# Skipped without a Python interpreter.
find_package(Python3 COMPONENTS Interpreter)
function(genops_add_pytest name file)
  if(Python3_FOUND)
    add_test(NAME ${name}
             COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider
                     ${CMAKE_SOURCE_DIR}/tests/python/${file})
    set_tests_properties(${name} PROPERTIES TIMEOUT 300 ENVIRONMENT "${ARGN}")
  endif()
endfunction()

# genops_add_driver(name source): a program of tests/tools/ that records spans into a
# pipeline with one exporter and prints the pipeline's (and the exporter's) stats as
# JSON; the pytest suites run it against the local servers of tests/peers/.
function(genops_add_driver name source)
  add_executable(${name} ${CMAKE_SOURCE_DIR}/tests/tools/${source}
                         ${CMAKE_SOURCE_DIR}/tests/tools/driver_common.c)
  target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
  target_link_libraries(${name} PRIVATE genops_static)
endfunction()

# OTLP: tests/python/test_otlp_exporter.py against tests/peers/otlp_server.py.
genops_add_driver(genops_otlp_driver otlp_driver.c)
genops_add_pytest(test_otlp_exporter_py test_otlp_exporter.py
                  "GENOPS_OTLP_DRIVER=$<TARGET_FILE:genops_otlp_driver>")
# OTLP/gRPC: tests/python/test_otlp_grpc.py against tests/peers/otlp_grpc_server.py
# (grpcio), through the driver and through the Python package staged in <build>/python.
genops_add_pytest(test_otlp_grpc_py test_otlp_grpc.py
                  "GENOPS_OTLP_DRIVER=$<TARGET_FILE:genops_otlp_driver>"
                  "PYTHONPATH=${CMAKE_BINARY_DIR}/python")

# The fault matrix (tests/faults/, docs/reliability.md): the OTLP driver (the HEC driver
# for its HEC row, the Python package staged in <build>/python for its SIGTERM row)
# against a scripted local server, one case per backend fault.
if(Python3_FOUND)
  add_test(NAME test_fault_matrix_py
           COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider
                   ${CMAKE_SOURCE_DIR}/tests/faults)
  set_tests_properties(test_fault_matrix_py PROPERTIES TIMEOUT 120 ENVIRONMENT
                       "GENOPS_OTLP_DRIVER=$<TARGET_FILE:genops_otlp_driver>;\
GENOPS_HEC_DRIVER=$<TARGET_FILE:genops_hec_driver>;PYTHONPATH=${CMAKE_BINARY_DIR}/python")
endif()

# Splunk HEC: tests/python/test_hec_exporter.py against tests/peers/hec_server.py (the
# driver also runs genops_hec_validate). Its ctypes test loads libgenops.so into the
# interpreter: not a sanitizer build's.
genops_add_driver(genops_hec_driver hec_driver.c)
if(GENOPS_SANITIZE STREQUAL "")
  set(_hec_lib $<TARGET_FILE:genops>)
else()
  set(_hec_lib "")
endif()
genops_add_pytest(test_hec_exporter_py test_hec_exporter.py
                  "GENOPS_HEC_DRIVER=$<TARGET_FILE:genops_hec_driver>"
                  "GENOPS_OTLP_DRIVER=$<TARGET_FILE:genops_otlp_driver>"
                  "GENOPS_SHARED_LIB=${_hec_lib}")
