"""Garbage cycles are freed on the GUI thread, never in a worker that happened to allocate."""

from __future__ import annotations

import gc
import threading

from ui.collector import FULL_GAP_S, PATIENCE, GuiThreadCollector, due_generation

THRESHOLDS = (700, 10, 10)


def test_nothing_is_due_until_the_youngest_generation_is_past_its_threshold():
    assert due_generation((700, 50, 50), THRESHOLDS) is None
    assert due_generation((701, 0, 0), THRESHOLDS) == 0


def test_the_oldest_generation_past_its_threshold_is_the_one_collected():
    assert due_generation((701, 11, 0), THRESHOLDS) == 1
    assert due_generation((701, 11, 11), THRESHOLDS) == 2
    assert due_generation((701, 3, 11), THRESHOLDS) == 2
    assert due_generation((701, 11, 11), (700, 0, 0)) == 0  # a zero threshold: never


class Node:
    """A garbage cycle's member that notes which thread freed it."""

    freed_in: list[threading.Thread] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Node.freed_in.append(threading.current_thread())


def make_garbage_and_allocate(kept: list) -> None:
    for _ in range(50):
        Node()
    kept.extend([i] for i in range(20_000))  # far past the threshold that starts a collection


def test_cycles_dropped_in_a_worker_are_freed_on_the_gui_thread(qtbot):
    Node.freed_in = []
    collector = GuiThreadCollector(interval_ms=10)
    collector.start()
    try:
        kept: list = []
        worker = threading.Thread(target=make_garbage_and_allocate, args=(kept,))
        worker.start()
        worker.join()
        assert Node.freed_in == []  # the worker's allocations did not start a collection
        qtbot.waitUntil(lambda: len(Node.freed_in) == 50, timeout=5000)
        assert set(Node.freed_in) == {threading.main_thread()}
    finally:
        collector.stop()


def test_stopping_gives_collection_back_to_the_interpreter(qtbot):
    was_enabled = gc.isenabled()
    gc.enable()
    collector = GuiThreadCollector()
    try:
        collector.start()
        assert not gc.isenabled()
        collector.stop()
        assert gc.isenabled()
    finally:
        if not was_enabled:
            gc.disable()


def test_collection_waits_while_a_worker_runs_unless_garbage_piles_up():
    # Called directly, not from the event loop, so only this collector's rule is at work.
    Node.freed_in = []
    busy = {"workers": 1}
    saved_thresholds, was_enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(100, 10, 10)  # so the patience is reached in 200,000 objects
    collector = GuiThreadCollector(busy=lambda: busy["workers"])
    gc.disable()
    try:
        kept: list = []
        make_garbage_and_allocate(kept)  # past the threshold, far short of the patience
        assert collector.collect_if_due() is None and Node.freed_in == []
        busy["workers"] = 0
        assert collector.collect_if_due() is not None and len(Node.freed_in) == 50

        Node.freed_in, busy["workers"] = [], 1
        make_garbage_and_allocate(kept)
        assert collector.collect_if_due() is None and Node.freed_in == []
        kept.extend([i] for i in range(PATIENCE * 100))
        assert collector.collect_if_due() is not None and len(Node.freed_in) == 50
    finally:
        gc.set_threshold(*saved_thresholds)
        if was_enabled:
            gc.enable()


def test_full_collections_are_spaced_out(monkeypatch):
    collector = GuiThreadCollector(busy=lambda: 0)
    counts = (701, 11, 11)
    monkeypatch.setattr(gc, "get_count", lambda: counts)
    collected = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation))
    assert collector.collect_if_due() == 1  # a full one was (as good as) just done
    collector._last_full -= FULL_GAP_S
    assert collector.collect_if_due() == 2
    assert collector.collect_if_due() == 1
    assert collected == [1, 2, 1]
