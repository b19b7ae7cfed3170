# bindings.cmake - the language bindings, all generated from bindings/genops.i by SWIG:
#   genops._native  (Python; plus the hand-written types of bindings/python/)
#   genops/native   (Ruby)      genops_native (Lua: one per Lua found, <build>/lua/<lua>/)
# Each links genops_static, so a module (and the Python wheel) carries the library.
#
# GENOPS_BUILD_PYTHON / _RUBY / _LUA default to ON when the language's headers are
# found, and to OFF in sanitizer builds (their modules could not be loaded into a
# plain interpreter anyway). The Python package is staged, with the module, in
# <build>/python/genops: `make test-python` runs pytest with PYTHONPATH=<build>/python.
find_package(SWIG 4.0)
find_package(Python3 3.9 COMPONENTS Interpreter Development.Module)
find_package(Ruby QUIET)

# Lua: a module for each of Lua 5.1, 5.3, 5.4 and LuaJIT whose headers are installed
# (Debian's liblua5.X-dev, libluajit2-5.1-dev), each built into <build>/lua/<tag>/ where
# <tag> is the interpreter's name: lua5.1, lua5.3, lua5.4, luajit. The rock
# (bindings/lua/genops.rockspec.in) gives GENOPS_LUA_ROCK_INCDIR instead: one module,
# tag "rock". (Not LUA_INCLUDE_DIR: FindLua, used here before, left it in older caches.)
set(GENOPS_LUA_TAGS "")
if(GENOPS_LUA_ROCK_INCDIR)
  set(GENOPS_LUA_TAGS rock)
  set(GENOPS_LUA_INCLUDE_rock ${GENOPS_LUA_ROCK_INCDIR})
else()
  # Each lua.h checked for its LUA_VERSION_NUM: an unsuffixed one may be any version.
  foreach(_v 1 3 4)
    find_path(GENOPS_LUA_INCLUDE_lua5.${_v} lua.h PATH_SUFFIXES lua5.${_v} lua-5.${_v})
  endforeach()
  find_path(GENOPS_LUA_INCLUDE_luajit luajit.h PATH_SUFFIXES luajit-2.1)
  foreach(_tag lua5.1 lua5.3 lua5.4 luajit)
    set(_h ${GENOPS_LUA_INCLUDE_${_tag}}/lua.h)
    if(GENOPS_LUA_INCLUDE_${_tag} AND EXISTS ${_h})
      file(STRINGS ${_h} _num REGEX "^#define[ \t]+LUA_VERSION_NUM")
      string(REGEX REPLACE "[^0-9]*([0-9]+).*" "\\1" _num "${_num}")
      string(REPLACE "lua5." "50" _want ${_tag})
      if(_tag STREQUAL luajit)
        set(_want 501)
      endif()
      if(_num STREQUAL _want)
        list(APPEND GENOPS_LUA_TAGS ${_tag})
      endif()
    endif()
  endforeach()
endif()

set(_genops_bindings_default ON)
if(NOT GENOPS_SANITIZE STREQUAL "" OR NOT SWIG_FOUND)
  set(_genops_bindings_default OFF)
endif()
set(_genops_py_default ${_genops_bindings_default})
set(_genops_rb_default ${_genops_bindings_default})
set(_genops_lua_default ${_genops_bindings_default})
if(NOT Python3_Development.Module_FOUND)
  set(_genops_py_default OFF)
endif()
if(NOT RUBY_INCLUDE_DIRS)
  set(_genops_rb_default OFF)
endif()
if(NOT GENOPS_LUA_TAGS)
  set(_genops_lua_default OFF)
endif()
option(GENOPS_BUILD_PYTHON "Build the Python extension module (genops._native)" ${_genops_py_default})
option(GENOPS_BUILD_RUBY "Build the Ruby extension (genops/native)" ${_genops_rb_default})
option(GENOPS_BUILD_LUA "Build the Lua module (genops_native)" ${_genops_lua_default})

if(NOT (GENOPS_BUILD_PYTHON OR GENOPS_BUILD_RUBY OR GENOPS_BUILD_LUA))
  return()
endif()
genops_require(SWIG_FOUND "SWIG 4 for the language bindings (or: pip install swig)" swig swig)
if(GENOPS_BUILD_PYTHON)
  genops_require(Python3_Development.Module_FOUND "the Python ${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR} headers"
                 python3-dev python3-devel)
endif()
include(UseSWIG)

set(GENOPS_SWIG_INTERFACE ${CMAKE_SOURCE_DIR}/bindings/genops.i)
set_property(SOURCE ${GENOPS_SWIG_INTERFACE} PROPERTY USE_SWIG_DEPENDENCIES TRUE)

# The language-neutral C support code (bindings/common), compiled into every module.
# core/src is on its include path for status.def alone.
file(GLOB GENOPS_BINDINGS_COMMON_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bindings/common/*.c)

# What SWIG's generated wrappers trip over in our warning set (the module init function
# has no prototype; Ruby's wrapper shadows a local; SWIG 4.1's static PyTypeObjects
# predate the fields Python 3.12 added). Applied to the generated file only: our own
# sources (bindings/*/*.c) keep every warning.
set(_genops_swig_generated_cflags -Wno-missing-prototypes -Wno-shadow
    -Wno-missing-field-initializers)

# One SWIG module: name, language, output directory; the rest is shared.
function(genops_swig_module target language outdir)
  swig_add_library(${target} TYPE MODULE LANGUAGE ${language}
    OUTPUT_DIR ${outdir}
    OUTFILE_DIR ${CMAKE_CURRENT_BINARY_DIR}/swig/${target}
    SOURCES ${GENOPS_SWIG_INTERFACE} ${GENOPS_BINDINGS_COMMON_SOURCES} ${ARGN})
  set_property(TARGET ${target} PROPERTY SWIG_INCLUDE_DIRECTORIES
    ${CMAKE_SOURCE_DIR}/core/include ${CMAKE_SOURCE_DIR}/bindings/${language})
  set_property(TARGET ${target} PROPERTY SWIG_GENERATED_COMPILE_OPTIONS
    ${_genops_swig_generated_cflags})
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/core/include
                                               ${CMAKE_SOURCE_DIR}/bindings/${language}
                                               ${CMAKE_SOURCE_DIR}/bindings/common
                                               ${CMAKE_SOURCE_DIR}/core/src)
  # The archive's genops_* symbols stay inside the module.
  target_link_libraries(${target} PRIVATE genops_static)
  target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL)
  set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${outdir}
                                             C_VISIBILITY_PRESET hidden)
endfunction()

# ---- Python ----------------------------------------------------------------------
if(GENOPS_BUILD_PYTHON)
  set(GENOPS_PYTHON_STAGE ${CMAKE_BINARY_DIR}/python)
  genops_swig_module(genops_python python ${GENOPS_PYTHON_STAGE}/genops
    ${CMAKE_SOURCE_DIR}/bindings/python/convert.c
    ${CMAKE_SOURCE_DIR}/bindings/python/module.c
    ${CMAKE_SOURCE_DIR}/bindings/python/span_type.c
    ${CMAKE_SOURCE_DIR}/bindings/python/context_type.c
    ${CMAKE_SOURCE_DIR}/bindings/python/fast_method.c
    ${CMAKE_SOURCE_DIR}/bindings/python/otel_export.c)
  set_target_properties(genops_python PROPERTIES OUTPUT_NAME _native PREFIX "")
  if(Python3_SOABI)
    set_target_properties(genops_python PROPERTIES SUFFIX ".${Python3_SOABI}.so")
  endif()
  target_link_libraries(genops_python PRIVATE Python3::Module)

  # The pure-Python package beside the module, refreshed on every build.
  add_custom_target(genops_python_stage ALL
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_SOURCE_DIR}/python/genops
            ${GENOPS_PYTHON_STAGE}/genops
    COMMENT "Staging python/genops in ${GENOPS_PYTHON_STAGE}")
  add_dependencies(genops_python genops_python_stage)

  # scikit-build-core: the module and SWIG's native.py go into the wheel's genops/.
  install(TARGETS genops_python LIBRARY DESTINATION genops COMPONENT python)
  install(FILES ${GENOPS_PYTHON_STAGE}/genops/native.py DESTINATION genops
          COMPONENT python)
endif()

# ---- Ruby ------------------------------------------------------------------------
if(GENOPS_BUILD_RUBY)
  genops_swig_module(genops_ruby ruby ${CMAKE_BINARY_DIR}/ruby/genops)
  set_target_properties(genops_ruby PROPERTIES OUTPUT_NAME native PREFIX "")
  # SYSTEM: Ruby's own headers are not warning-clean under -Wstrict-prototypes.
  target_include_directories(genops_ruby SYSTEM PRIVATE ${RUBY_INCLUDE_DIRS})
endif()

# ---- Lua -------------------------------------------------------------------------
# genops_lua builds every tag's module (genops_lua_<tag>); the generated wrapper is
# the same C for each, compiled against that Lua's headers.
if(GENOPS_BUILD_LUA)
  genops_require(GENOPS_LUA_TAGS "the headers of Lua 5.1, 5.3, 5.4 or LuaJIT" liblua5.4-dev lua-devel)
  add_custom_target(genops_lua)
  foreach(_tag ${GENOPS_LUA_TAGS})
    genops_swig_module(genops_lua_${_tag} lua ${CMAKE_BINARY_DIR}/lua/${_tag})
    set_target_properties(genops_lua_${_tag} PROPERTIES OUTPUT_NAME genops_native PREFIX "")
    target_include_directories(genops_lua_${_tag} SYSTEM PRIVATE ${GENOPS_LUA_INCLUDE_${_tag}})
    # dladdr / RTLD_NODELETE (genops_lua.swg keeps the module mapped until exit).
    target_compile_definitions(genops_lua_${_tag} PRIVATE _GNU_SOURCE)
    target_link_libraries(genops_lua_${_tag} PRIVATE ${CMAKE_DL_LIBS})
    add_dependencies(genops_lua genops_lua_${_tag})
  endforeach()
  message(STATUS "genops: Lua modules for ${GENOPS_LUA_TAGS}")
  # The rock passes luarocks' module directories.
  if(GENOPS_LUA_CMOD_DIR AND GENOPS_LUA_LMOD_DIR)
    install(TARGETS genops_lua_rock LIBRARY DESTINATION ${GENOPS_LUA_CMOD_DIR} COMPONENT lua)
    install(FILES ${CMAKE_SOURCE_DIR}/bindings/lua/genops.lua
            DESTINATION ${GENOPS_LUA_LMOD_DIR} COMPONENT lua)
  endif()
endif()
