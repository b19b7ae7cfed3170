# honeycomb.cmake - what the Honeycomb support needs beyond the library: its Python suite
# against the strict local Honeycomb API (tests/peers/honeycomb_server.py), run through
# the Python package staged in <build>/python (so only in builds with the bindings).
# msgpack-c is linked where the Events API encoder lives, below.
if(GENOPS_BUILD_TESTS)
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL genops_honeycomb_pytest)
  function(genops_honeycomb_pytest)
    if(TARGET genops_python)
      genops_add_pytest(test_honeycomb_py test_honeycomb.py "PYTHONPATH=${CMAKE_BINARY_DIR}/python")
    endif()
  endfunction()
endif()
