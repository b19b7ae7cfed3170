# Empty dependencies file for genops_demo.
# This may be replaced when dependencies are built.
