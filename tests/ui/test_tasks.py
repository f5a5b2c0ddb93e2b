"""The task runner: results, progress, cancel, failures, superseded runs, and threads."""

from __future__ import annotations

import threading
import weakref

import pytest

from engage.errors import EngageError
from ui.tasks import TaskRunner, wait_for_all, workers_alive


@pytest.fixture
def runner(qtbot):
    from PySide6.QtWidgets import QWidget

    owner = QWidget()  # the runner lives as long as its widget, as in the app
    qtbot.addWidget(owner)
    yield TaskRunner(owner)
    wait_for_all()
    del owner


def test_result_is_delivered_on_the_gui_thread(runner, qtbot):
    seen = {}
    runner.finished.connect(lambda result: seen.update(result=result,
                                                      thread=threading.current_thread()))
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(lambda progress, cancelled: threading.current_thread().name, "Sum")
    assert seen["result"].startswith("engage-task-")
    assert seen["thread"] is threading.main_thread()
    assert not runner.is_running()


def test_progress_is_reported_in_order(runner, qtbot):
    fractions = []
    runner.progress.connect(lambda fraction, message: fractions.append((fraction, message)))

    def task(progress, cancelled):
        for step in range(4):
            progress(step / 4, f"step {step}")
        return "ok"

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(task)
    assert fractions == [(step / 4, f"step {step}") for step in range(4)]


def test_cancel_stops_the_task_at_its_next_progress_report(runner, qtbot):
    release = threading.Event()
    reached = []

    def task(progress, cancelled):
        release.wait(5)
        progress(0.5, "half")
        reached.append("after progress")
        return "finished anyway"

    finished = []
    runner.finished.connect(finished.append)
    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        runner.start(task)
        runner.cancel()
        release.set()
    assert reached == [] and finished == []


def test_engage_error_becomes_its_message_and_a_bug_a_plain_sentence(runner, qtbot):
    def refuse(progress, cancelled):
        raise EngageError("The project is locked by another window")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start(refuse)
    assert blocker.args == ["The project is locked by another window"]

    def bug(progress, cancelled):
        raise KeyError("theme")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start(bug)
    message = blocker.args[0]
    assert message.startswith("Something went wrong: KeyError") and "Traceback" not in message


def test_a_new_task_supersedes_the_running_one_and_waits_for_it(runner, qtbot):
    first_running = threading.Event()
    first_ended = threading.Event()
    order = []

    def first(progress, cancelled):
        first_running.set()
        while not cancelled():
            threading.Event().wait(0.01)
        order.append("first ended")
        first_ended.set()
        return "first"

    def second(progress, cancelled):
        order.append("second started" if first_ended.is_set() else "second overlapped")
        return "second"

    results = []
    runner.finished.connect(results.append)
    runner.start(first)
    assert first_running.wait(5)
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(second)
    assert results == ["second"]
    assert order == ["first ended", "second started"]


def test_the_function_is_released_on_the_gui_thread(runner, qtbot):
    class Payload:
        pass

    payload = Payload()
    released_on = []
    weakref.finalize(payload, lambda: released_on.append(threading.current_thread()))

    def make_task(held):
        return lambda progress, cancelled: type(held).__name__

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(make_task(payload))
    del payload
    assert runner.wait(5000)
    qtbot.waitUntil(lambda: bool(released_on), timeout=5000)
    assert released_on == [threading.main_thread()]


def test_wait_for_all_cancels_and_joins_every_worker(runner, qtbot):
    started = threading.Event()

    def endless(progress, cancelled):
        started.set()
        while not cancelled():
            threading.Event().wait(0.01)
        return None

    runner.start(endless)
    assert started.wait(5)
    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        assert wait_for_all(5000)
    assert not runner.is_running()


def test_workers_are_counted_until_their_threads_end(runner, qtbot):
    before = workers_alive()
    release = threading.Event()
    runner.start(lambda progress, cancelled: release.wait(5))
    assert workers_alive() == before + 1
    with qtbot.waitSignal(runner.finished, timeout=5000):
        release.set()
    assert runner.wait(5000)
    assert workers_alive() == before
