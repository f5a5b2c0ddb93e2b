"""Shared test set-up: Qt never needs a screen, settings never touch the real user's files."""

import gc
import os
import sys
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ENGAGE_CONFIG_DIR", tempfile.mkdtemp(prefix="engage-test-config-"))


@pytest.fixture(autouse=True)
def collect_garbage_when_no_worker_runs(request):
    """Cyclic garbage is collected between tests, with every background worker stopped, not
    at whatever moment a later test's worker happens to be running.

    Many widgets are made and dropped in one test process (far more than an officer's session
    makes); collecting the last test's PySide wrappers while a worker ran has crashed the
    interpreter in garbage collection twice in full runs, never in a single test. Only Qt
    tests start workers, so only they pay for the collection.
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        tasks = sys.modules.get("ui.tasks")
        if tasks is not None:
            tasks.wait_for_all()
        gc.enable()
        gc.collect()
