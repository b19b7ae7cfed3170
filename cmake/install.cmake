# install.cmake - what `cmake --install` puts in the prefix (libgenops.so with its
# soname links, libgenops.a, genops.h, genops.pc), the ABI baseline targets, and the
# tests of both: a C program built against an installed tree through pkg-config, and
# abi-check refusing a library with a function removed.
include(GNUInstallDirs)

install(TARGETS genops genops_static
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${CMAKE_SOURCE_DIR}/core/include/genops.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# pkg-config: the shared library needs nothing more; a static link (pkg-config --static)
# also needs libgenops.a's own dependencies (Libs.private): libcurl, libdeflate, libzstd, threads
# and libm. libcurl is named by -lcurl, not Requires.private: its .pc would ask a static
# link for all of curl's own dependencies, though libcurl.so is what gets linked.
# The .pc file finds the prefix from its own place (${pcfiledir}), so the tree it is
# installed in can be given at install time (cmake --install --prefix) or moved.
set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH GENOPS_PC_TO_PREFIX /root/${pc_dir} /root)
configure_file(${CMAKE_SOURCE_DIR}/cmake/genops.pc.in ${CMAKE_BINARY_DIR}/genops.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/genops.pc DESTINATION ${pc_dir})

# ---- ABI: core/abi/libgenops.abi is libabigail's description of libgenops.so.0 --------
# (symbols and the public types they reach, from DWARF, restricted to genops.h).
# abi_baseline rewrites it; abi_check (tools/abi_check.sh) fails on any reported change.
find_program(GENOPS_ABIDW abidw)
find_program(GENOPS_ABIDIFF abidiff)
set(GENOPS_ABI_BASELINE ${CMAKE_SOURCE_DIR}/core/abi/libgenops.abi)
if(GENOPS_ABIDW AND GENOPS_ABIDIFF)
  add_custom_target(abi_baseline
    COMMAND ${GENOPS_ABIDW} --no-corpus-path --no-comp-dir-path
            --headers-dir ${CMAKE_SOURCE_DIR}/core/include
            --out-file ${GENOPS_ABI_BASELINE} $<TARGET_FILE:genops>
    DEPENDS genops
    COMMENT "abidw: core/abi/libgenops.abi from $<TARGET_FILE_NAME:genops>" VERBATIM)
  add_custom_target(abi_check
    COMMAND ${CMAKE_SOURCE_DIR}/tools/abi_check.sh ${GENOPS_ABI_BASELINE} $<TARGET_FILE:genops>
            ${CMAKE_SOURCE_DIR}/core/include
    DEPENDS genops USES_TERMINAL VERBATIM)
endif()

if(NOT GENOPS_BUILD_TESTS OR NOT GENOPS_SANITIZE STREQUAL "")
  return() # a sanitizer build's library cannot be linked by a plain consumer
endif()

# The installed tree, used by a consumer: tests/install/check_install.sh installs this
# build into a temporary prefix, builds tests/install/consumer.c with
# `pkg-config --cflags --libs genops` (and --static) and runs it.
find_program(GENOPS_PKG_CONFIG pkg-config)
if(GENOPS_PKG_CONFIG)
  add_test(NAME install_consumer
           COMMAND ${CMAKE_SOURCE_DIR}/tests/install/check_install.sh ${CMAKE_COMMAND}
                   ${CMAKE_BINARY_DIR} ${CMAKE_C_COMPILER})
  set_tests_properties(install_consumer PROPERTIES TIMEOUT 300)
endif()

# A deliberately broken copy: the same objects linked with a version script that lacks
# genops_version. abi_check.sh must refuse it against the committed baseline.
if(GENOPS_ABIDIFF)
  file(READ ${CMAKE_SOURCE_DIR}/core/genops.map map)
  string(REGEX REPLACE "\n *genops_version;" "" broken_map "${map}")
  file(WRITE ${CMAKE_BINARY_DIR}/abi_broken.map "${broken_map}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/core/genops.map)
  add_library(genops_abi_broken SHARED $<TARGET_OBJECTS:genops_objects>)
  # Same name and soname as the real one, in a directory of its own: only the function differs.
  set_target_properties(genops_abi_broken PROPERTIES OUTPUT_NAME genops SOVERSION 0
    VERSION ${PROJECT_VERSION} LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/abi_broken)
  target_link_libraries(genops_abi_broken PRIVATE $<TARGET_PROPERTY:genops,LINK_LIBRARIES>)
  target_link_options(genops_abi_broken PRIVATE
    -Wl,--version-script=${CMAKE_BINARY_DIR}/abi_broken.map -Wl,--no-undefined)
  set_property(TARGET genops_abi_broken APPEND PROPERTY LINK_DEPENDS ${CMAKE_BINARY_DIR}/abi_broken.map)
  add_test(NAME abi_check_refuses_a_removed_function
           COMMAND ${CMAKE_SOURCE_DIR}/tests/install/check_abi_refuses.sh
                   ${CMAKE_SOURCE_DIR}/tools/abi_check.sh ${GENOPS_ABI_BASELINE}
                   $<TARGET_FILE:genops_abi_broken> ${CMAKE_SOURCE_DIR}/core/include)
  set_tests_properties(abi_check_refuses_a_removed_function PROPERTIES TIMEOUT 300)
endif()
