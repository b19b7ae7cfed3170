file(REMOVE_RECURSE
  "libgenops.a"
  "libgenops.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/genops_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
