# prerequisites.cmake - one clear message for a missing system prerequisite of the
# library and its Python module (what `pip install` of the sdist needs: libcurl,
# libdeflate, the Python headers, SWIG; the tests also need msgpack-c), instead of
# CMake's own errors. docs/installing.md lists the same packages. Included first.

# genops_require(<found-variable> <what> <Debian package> <Fedora package>)
function(genops_require found what debian fedora)
  if(NOT ${found} OR "${${found}}" MATCHES "-NOTFOUND$")
    message(FATAL_ERROR
      "genops needs ${what}, and this machine lacks it.\n"
      "  Debian/Ubuntu: apt-get install ${debian}\n"
      "  Fedora/RHEL:   dnf install ${fedora}\n"
      "docs/installing.md lists every prerequisite.")
  endif()
endfunction()
