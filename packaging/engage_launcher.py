"""The bundle's one program, frozen by PyInstaller (which freezes a script, not an entry point).

Called as `engage-gui` (on Linux a symlink to `engage`; on Windows and macOS a second
executable) it opens the desktop app; called as `engage` it is the command line. One program
on Linux means one copy of the frozen modules instead of two (31 MB).
"""

import multiprocessing
import os
import sys
from pathlib import Path

GUI_NAME = "engage-gui"

if __name__ == "__main__":
    # ONNX Runtime (the accurate pass) otherwise queues usage events in
    # ~/.cache/Microsoft/DeveloperTools and tries to send them to Microsoft a few seconds
    # after a session opens. The variable is read when onnxruntime loads, so it is set here,
    # before anything imports it.
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    multiprocessing.freeze_support()  # a frozen app must say so before any worker starts
    if Path(sys.argv[0]).name.lower().startswith(GUI_NAME):
        from ui.app import main as gui_main

        sys.exit(gui_main(sys.argv))
    from engage.cli import main as cli_main

    sys.exit(cli_main())
