"""Launch the Engage desktop app: `python main.py [PROJECT]`."""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
