"""Shared test set-up: Qt never needs a screen, settings never touch the real user's files."""

import gc
import os
import sys
import tempfile

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests draw the same examples on every run of `make test`, so the gate cannot pass on
# one run and fail on the next by luck of the draw; ENGAGE_HYPOTHESIS_PROFILE=explore draws new
# ones (with ENGAGE_PROPERTY_EXAMPLES, where a test reads it, for more of them).
hypothesis_settings.register_profile("gate", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("ENGAGE_HYPOTHESIS_PROFILE", "gate"))
os.environ.setdefault("ENGAGE_CONFIG_DIR", tempfile.mkdtemp(prefix="engage-test-config-"))
# The accurate pass (ONNX encoder) is exercised by its own tests, which switch it back on; the
# rest of the suite runs the fast pass, as `engage analyse --fast` would.
os.environ.setdefault("ENGAGE_ACCURATE", "off")


@pytest.fixture(autouse=True)
def stop_workers_after_qt_tests(request):
    """Qt tests run under the app's garbage-collection rule (ui.collector: cycles are collected
    on the GUI thread only), and every background worker a Qt test started is cancelled and
    joined before the next test, so no test's leftover work runs under another test's widgets
    or project files.

    ENGAGE_TEST_GC_THRESHOLD (a number) makes the collector run far more often than usual
    during Qt tests: a stress setting for hunting object-lifetime faults between the GUI
    thread and the workers.
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qapp")
    from ui.collector import GuiThreadCollector

    threshold = os.environ.get("ENGAGE_TEST_GC_THRESHOLD")
    saved = gc.get_threshold()
    if threshold:
        gc.set_threshold(int(threshold), 2, 2)
    collector = GuiThreadCollector(interval_ms=5 if threshold else 250)
    collector.start()
    try:
        yield
    finally:
        tasks = sys.modules.get("ui.tasks")
        if tasks is not None:
            tasks.wait_for_all()
        collector.stop()
        collector.deleteLater()
        gc.set_threshold(*saved)
