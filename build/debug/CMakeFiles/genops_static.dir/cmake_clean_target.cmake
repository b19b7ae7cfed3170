file(REMOVE_RECURSE
  "libgenops.a"
)
