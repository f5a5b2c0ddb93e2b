"""Engage never touches the network; this keeps a library's import from touching a socket.

spaCy's package imports its command-line helpers, whose model downloader imports `requests`,
which imports urllib3, and urllib3 decides at import time whether the machine has IPv6 by
binding a socket to [::1] port 0 (never listening, never connecting, closed at once). It is
harmless, but it is a socket opened by an application that promises none, and it shows up in
`ss`/strace audits. `quiet_network_imports` imports urllib3 with Python's `socket.has_ipv6`
flag briefly false, so urllib3 skips the probe and records "no IPv6" — which only matters
to code that makes connections, and Engage makes none.
"""

from __future__ import annotations

import socket
import sys


def quiet_network_imports() -> None:
    """Import urllib3 now, without its IPv6 probe; a no-op if it is absent or already loaded."""
    if "urllib3" in sys.modules:
        return
    saved = socket.has_ipv6
    socket.has_ipv6 = False
    try:
        import urllib3  # noqa: F401 - imported for its side effect on later imports
    except ImportError:
        pass
    finally:
        socket.has_ipv6 = saved
