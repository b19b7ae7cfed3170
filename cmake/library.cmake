# library.cmake - the core library: every source of core/src (its protocol folders
# included) compiled once into one object library, then linked as libgenops.so (soname
# libgenops.so.0, only genops_* exported through core/genops.map) and libgenops.a, with
# their dependencies: threads, libm, libcurl (the HTTP transport), libdeflate (gzip) and
# libzstd (zstd, for Honeycomb's Events API).
#
# genops_objects only needs the dependencies' include directories; the libraries are
# linked into genops (PRIVATE: its ABI exports only genops_*) and genops_static (PUBLIC:
# whoever links the archive needs them too). fuzz.cmake compiles GENOPS_CORE_SOURCES
# once more, instrumented.
find_package(Threads REQUIRED)
find_package(CURL 7.85) # CURLOPT_PROTOCOLS_STR appeared in 7.85.0
genops_require(CURL_FOUND "libcurl >= 7.85 with its headers" libcurl4-openssl-dev libcurl-devel)
find_path(LIBDEFLATE_INCLUDE_DIR libdeflate.h)
find_library(LIBDEFLATE_LIBRARY deflate)
genops_require(LIBDEFLATE_INCLUDE_DIR "libdeflate's headers" libdeflate-dev libdeflate-devel)
genops_require(LIBDEFLATE_LIBRARY "libdeflate" libdeflate-dev libdeflate-devel)
find_path(ZSTD_INCLUDE_DIR zstd.h)
find_library(ZSTD_LIBRARY zstd)
genops_require(ZSTD_INCLUDE_DIR "libzstd's headers" libzstd-dev libzstd-devel)
genops_require(ZSTD_LIBRARY "libzstd" libzstd-dev libzstd-devel)

file(GLOB GENOPS_CORE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/core/src/*.c
                                               ${CMAKE_SOURCE_DIR}/core/src/*/*.c)
add_library(genops_objects OBJECT ${GENOPS_CORE_SOURCES})
set_target_properties(genops_objects PROPERTIES POSITION_INDEPENDENT_CODE ON
                                                C_VISIBILITY_PRESET hidden)
target_compile_definitions(genops_objects PRIVATE GENOPS_BUILDING _GNU_SOURCE)
# Thread-local state (the slot cache, the id generator) read through TLS descriptors:
# where the library is loaded by dlopen (the Python, Ruby and Lua modules) each access
# is then a load, not a call to __tls_get_addr (about 120 instructions an operation from
# Python, callgrind). GCC on x86-64, optimised builds: the sanitizers keep the default,
# which they track, and clang-tidy reads the Debug build's flags, which clang 14 lacks.
if(CMAKE_C_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64"
   AND GENOPS_SANITIZE STREQUAL "")
  target_compile_options(genops_objects PRIVATE $<$<NOT:$<CONFIG:Debug>>:-mtls-dialect=gnu2>)
endif()
target_include_directories(genops_objects PUBLIC ${CMAKE_SOURCE_DIR}/core/include
                                          PRIVATE ${CMAKE_SOURCE_DIR}/core/src
                                                  ${CURL_INCLUDE_DIRS} ${LIBDEFLATE_INCLUDE_DIR}
                                                  ${ZSTD_INCLUDE_DIR})

add_library(genops SHARED $<TARGET_OBJECTS:genops_objects>)
set_target_properties(genops PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION 0
                                        C_VISIBILITY_PRESET hidden)
target_include_directories(genops PUBLIC ${CMAKE_SOURCE_DIR}/core/include)
target_link_libraries(genops PRIVATE Threads::Threads m CURL::libcurl ${LIBDEFLATE_LIBRARY}
                                     ${ZSTD_LIBRARY})
# The ABI baseline: only genops_* is exported, under one version node.
target_link_options(genops PRIVATE
  -Wl,--version-script=${CMAKE_SOURCE_DIR}/core/genops.map -Wl,--no-undefined)
set_property(TARGET genops APPEND PROPERTY LINK_DEPENDS ${CMAKE_SOURCE_DIR}/core/genops.map)

add_library(genops_static STATIC $<TARGET_OBJECTS:genops_objects>)
set_target_properties(genops_static PROPERTIES OUTPUT_NAME genops)
target_include_directories(genops_static PUBLIC ${CMAKE_SOURCE_DIR}/core/include)
target_link_libraries(genops_static PUBLIC Threads::Threads m CURL::libcurl ${LIBDEFLATE_LIBRARY}
                                           ${ZSTD_LIBRARY})

# The example program of `make demo` (examples/run_demo.py runs it).
add_executable(genops_demo ${CMAKE_SOURCE_DIR}/examples/demo.c)
target_link_libraries(genops_demo PRIVATE genops)
