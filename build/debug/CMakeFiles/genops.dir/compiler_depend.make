# Empty compiler generated dependencies file for genops.
# This may be replaced when dependencies are built.
