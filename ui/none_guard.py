"""Keep Python's None alive under PySide6 6.12 on Python 3.11.

The PySide6 / shiboken6 6.12.0 wheels are abi3 builds made with Python 3.12+ headers, where
None is immortal and returning it takes no reference. Run on Python 3.11, every call of a Qt
method that returns nothing (`setText`, `update`, `setEnabled` …) hands back a reference to
None that was never taken: None's count drops by one per call, and after a few thousand net
calls (or at exit, when the collector lets go of the rest) the interpreter aborts with "Fatal
Python error: none_dealloc: deallocating None". Measured here: 1,000 `QLabel.setEnabled`
calls take 1,000 from None's count; a bare script aborts after about 5,300.

Python 3.12 made None immortal, so from 3.12 on this does nothing. Before it, `install()`
gives None a reference count so large (2**40) that no session can use it up — the same
effect immortality has. It never lowers a count, so it is harmless if a later PySide fixes
the bug. Call it once before the first Qt call; calling it again does nothing.
"""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 40
_installed = False


def needed() -> bool:
    return sys.version_info < (3, 12)


def install() -> bool:
    """Make None effectively immortal on Python < 3.12; True if it did anything."""
    global _installed
    if _installed or not needed():
        return False
    # ob_refcnt is the first field of every object in a release build of CPython.
    ctypes.c_ssize_t.from_address(id(None)).value += HEADROOM
    _installed = True
    return True
