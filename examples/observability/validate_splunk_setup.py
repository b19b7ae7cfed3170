"""The Splunk guide's validation script (`cd examples/observability; python
validate_splunk_setup.py [--endpoint URL --token T --index I] [--no-connectivity]
[--no-ssl-verify]`): `genops validate splunk` with the same flags."""

import sys

from genops.cli import main

if __name__ == "__main__":
    sys.exit(main(["validate", "splunk", *sys.argv[1:]]))
