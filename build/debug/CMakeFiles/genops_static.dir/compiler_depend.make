# Empty compiler generated dependencies file for genops_static.
# This may be replaced when dependencies are built.
