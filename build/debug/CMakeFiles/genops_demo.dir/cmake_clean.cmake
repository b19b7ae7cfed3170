file(REMOVE_RECURSE
  "CMakeFiles/genops_demo.dir/examples/demo.c.o"
  "CMakeFiles/genops_demo.dir/examples/demo.c.o.d"
  "genops_demo"
  "genops_demo.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/genops_demo.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
