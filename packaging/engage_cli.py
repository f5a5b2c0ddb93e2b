"""The bundle's `engage` command (PyInstaller freezes a script, not an entry-point function)."""

import multiprocessing
import sys

from engage.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen app must say so before any worker starts
    sys.exit(main())
