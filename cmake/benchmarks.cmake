# The C benchmarks (benchmarks/README.md says how to run them). They see the internal
# headers to plug in a do-nothing exporter.
add_executable(bench_pipeline ${CMAKE_SOURCE_DIR}/benchmarks/bench_pipeline.c)
target_include_directories(bench_pipeline PRIVATE ${CMAKE_SOURCE_DIR}/core/src)
target_link_libraries(bench_pipeline PRIVATE genops_static)
# Count every allocation the library makes (malloc, calloc, realloc).
target_link_options(bench_pipeline PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc
                    -Wl,--wrap=realloc)
target_compile_definitions(bench_pipeline PRIVATE _GNU_SOURCE)
