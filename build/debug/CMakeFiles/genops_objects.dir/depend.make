# Empty dependencies file for genops_objects.
# This may be replaced when dependencies are built.
