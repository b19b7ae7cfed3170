
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/core/src/arena.c" "CMakeFiles/genops_objects.dir/core/src/arena.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/arena.c.o.d"
  "/work/main/core/src/attr.c" "CMakeFiles/genops_objects.dir/core/src/attr.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/attr.c.o.d"
  "/work/main/core/src/buf.c" "CMakeFiles/genops_objects.dir/core/src/buf.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/buf.c.o.d"
  "/work/main/core/src/config.c" "CMakeFiles/genops_objects.dir/core/src/config.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/config.c.o.d"
  "/work/main/core/src/context.c" "CMakeFiles/genops_objects.dir/core/src/context.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/context.c.o.d"
  "/work/main/core/src/encode_console.c" "CMakeFiles/genops_objects.dir/core/src/encode_console.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/encode_console.c.o.d"
  "/work/main/core/src/error.c" "CMakeFiles/genops_objects.dir/core/src/error.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/error.c.o.d"
  "/work/main/core/src/exporter.c" "CMakeFiles/genops_objects.dir/core/src/exporter.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/exporter.c.o.d"
  "/work/main/core/src/exporter_console.c" "CMakeFiles/genops_objects.dir/core/src/exporter_console.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/exporter_console.c.o.d"
  "/work/main/core/src/exporter_memory.c" "CMakeFiles/genops_objects.dir/core/src/exporter_memory.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/exporter_memory.c.o.d"
  "/work/main/core/src/ids.c" "CMakeFiles/genops_objects.dir/core/src/ids.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/ids.c.o.d"
  "/work/main/core/src/log.c" "CMakeFiles/genops_objects.dir/core/src/log.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/log.c.o.d"
  "/work/main/core/src/numfmt.c" "CMakeFiles/genops_objects.dir/core/src/numfmt.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/numfmt.c.o.d"
  "/work/main/core/src/pipeline.c" "CMakeFiles/genops_objects.dir/core/src/pipeline.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/pipeline.c.o.d"
  "/work/main/core/src/record.c" "CMakeFiles/genops_objects.dir/core/src/record.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/record.c.o.d"
  "/work/main/core/src/resource.c" "CMakeFiles/genops_objects.dir/core/src/resource.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/resource.c.o.d"
  "/work/main/core/src/ring.c" "CMakeFiles/genops_objects.dir/core/src/ring.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/ring.c.o.d"
  "/work/main/core/src/span.c" "CMakeFiles/genops_objects.dir/core/src/span.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/span.c.o.d"
  "/work/main/core/src/span_data.c" "CMakeFiles/genops_objects.dir/core/src/span_data.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/span_data.c.o.d"
  "/work/main/core/src/utf8.c" "CMakeFiles/genops_objects.dir/core/src/utf8.c.o" "gcc" "CMakeFiles/genops_objects.dir/core/src/utf8.c.o.d"
  )

# Targets to which this target links which contain Fortran sources.
set(CMAKE_Fortran_TARGET_LINKED_INFO_FILES
  )

# Targets to which this target links which contain Fortran sources.
set(CMAKE_Fortran_TARGET_FORWARD_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
