file(REMOVE_RECURSE
  ".0"
  "libgenops.pdb"
  "libgenops.so"
  "libgenops.so.0"
  "libgenops.so.0.1.0"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/genops.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
