"""Python's cycle collector runs on the GUI thread, never in a worker.

The interpreter runs its cycle collector in whichever thread happens to allocate past the
threshold. With background workers that can be a worker — and a garbage cycle it frees may
hold a Qt wrapper (a closed dialog and the lambdas connected to its signals), whose C++ object
is then deleted outside the GUI thread. Qt does not allow that, and the damage can show as a
crash much later, somewhere unrelated. So while the app runs, automatic collection is off and
a GUI-thread timer does the collector's job with the interpreter's own rule: collect the
oldest generation whose count is past its threshold.

It also waits while a background worker runs, unless garbage is piling up far past the
threshold. Test runs crashed three times (1 in about 8 full runs) inside a GUI-thread
collection while a worker ran a project query; the cause was not found, and a collection
that waits for the worker cannot meet that moment. Nearly all garbage is freed by reference
counting the moment it is dropped, so waiting costs little.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from ui import tasks

#: How often the GUI thread looks at the collector's counts (ms). Objects freed by reference
#: counting (nearly all) go at once; only cyclic garbage waits for this.
INTERVAL_MS = 250
#: While a worker runs, the youngest generation may grow to this many times its threshold
#: before it is collected anyway, so a stuck task cannot make memory grow without bound.
#: Little waits meanwhile: analysing 29,000 comments leaves about 3,800 objects of cyclic
#: garbage, and reaching this limit takes over a million new objects.
PATIENCE = 2000
#: Seconds between full collections at least: one walks every object (about 85 ms with a
#: project analysed), so it is spaced out as the interpreter's own rule for the oldest
#: generation does by other means.
FULL_GAP_S = 10.0


def due_generation(counts: tuple[int, int, int], thresholds: tuple[int, int, int]) -> int | None:
    """The generation the interpreter would collect now, or None: the oldest one past its
    threshold (a younger one's collection is part of an older one's)."""
    due = None
    for generation, (count, threshold) in enumerate(zip(counts, thresholds, strict=True)):
        if threshold > 0 and count > threshold:
            due = generation
        elif generation == 0:
            return None  # an older generation only grows when the youngest is collected
    return due


class GuiThreadCollector(QObject):
    """Switches automatic collection off and collects on a GUI-thread timer instead."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS,
                 busy: Callable[[], int] = tasks.workers_alive) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.busy = busy
        self._last_full = time.monotonic()
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Back to the interpreter's own collection (what there was before `start`)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def collect_if_due(self) -> int | None:
        """Collect what the interpreter would have by now; the generation collected, or None."""
        counts = gc.get_count()
        generation = due_generation(counts, self.thresholds)
        if generation is not None and self.busy() and counts[0] < PATIENCE * self.thresholds[0]:
            return None  # after the worker, unless garbage is piling up
        if generation == 2 and time.monotonic() - self._last_full < FULL_GAP_S:
            generation = 1
        if generation is not None:
            gc.collect(generation)
            if generation == 2:
                self._last_full = time.monotonic()
        return generation
