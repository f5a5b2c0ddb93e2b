"""The bundle's `engage-gui` program: the desktop app, optionally opening a project file."""

import multiprocessing
import sys

from ui.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen app must say so before any worker starts
    sys.exit(main(sys.argv))
