#!/usr/bin/env python3
"""Build the Quartiersprofile: `python build.py --help` lists the options."""

import sys

from quartiersprofile.build.cli import main

if __name__ == "__main__":
    sys.exit(main())
