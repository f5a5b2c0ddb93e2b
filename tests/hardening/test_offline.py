"""Offline guarantee: import, analysis, every report format and every export run with the
network switched off, from the first line of the process (so nothing may phone home on import
either), and none of them even tries to connect."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.hardening.conftest import ROOT

pytestmark = pytest.mark.slow

NO_NETWORK = r"""
import socket, sys
attempts = []

def refuse(*args, **kwargs):
    attempts.append(repr(args)[:200])
    raise OSError("network use is blocked in the offline test")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.socket.sendto = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from engage.cli import main

out = sys.argv[1]
steps = [
    ["demo", "--out", f"{out}/offline.engage", "--quiet"],  # import + analysis + activities
    ["analyse", f"{out}/offline.engage"],  # a second run: warm start where it can
    ["report", f"{out}/offline.engage", "--out", f"{out}/summary.pdf"],
    ["report", f"{out}/offline.engage", "--out", f"{out}/summary.docx"],
    ["report", f"{out}/offline.engage", "--out", f"{out}/summary.html"],
    ["export", f"{out}/offline.engage", "--out", f"{out}/coded.xlsx"],
    ["export", f"{out}/offline.engage", "--out", f"{out}/coded.qdpx"],
]
for step in steps:
    code = main(step)
    if code:
        sys.exit(f"step {step[0]} failed with exit code {code}")
if attempts:
    sys.exit("network use attempted: " + "; ".join(attempts))
try:  # the block itself must be live, or this test proves nothing
    socket.create_connection(("127.0.0.1", 9), timeout=1)
except OSError as exc:
    assert "blocked" in str(exc)
else:
    sys.exit("the network block is not in force")
print("offline ok")
"""


def test_import_analysis_reports_and_exports_need_no_network(tmp_path):
    result = subprocess.run([sys.executable, "-c", NO_NETWORK, str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "offline ok" in result.stdout
    for name in ("summary.pdf", "summary.docx", "summary.html", "coded.xlsx", "coded.qdpx"):
        assert (tmp_path / name).stat().st_size > 1000, name


NO_SOCKET = r"""
import socket
opened = []
real = socket.socket.__init__

def record(self, family=-1, *args, **kwargs):
    opened.append(str(family))
    real(self, family, *args, **kwargs)

socket.socket.__init__ = record
import engage.nlp.text  # spaCy and everything it pulls in
from engage.nlp.text import get_nlp
get_nlp()
import engage.analysis.pipeline  # the analysis stack, as `engage analyse` loads it
print("sockets:", opened)
"""


def test_loading_the_nlp_libraries_opens_no_socket():
    """urllib3 (spaCy -> requests) used to bind a socket on [::1] to probe for IPv6."""
    result = subprocess.run([sys.executable, "-c", NO_SOCKET], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sockets: []" in result.stdout, result.stdout
