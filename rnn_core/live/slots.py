"""How many trainings run at once in this process, a fair queue for the rest, and how many are
active (read by the pages without importing torch)."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable


def max_concurrent_trainings() -> int:
    """How many trainings may run at once: one per core, each on one torch thread."""
    return max(1, os.cpu_count() or 1)


class Slots:
    """A counting semaphore that also tells a waiter its place in the queue."""

    def __init__(self, size: int) -> None:
        self._cond = threading.Condition()
        self._free = size
        self._queue: list[object] = []

    def acquire(self, owner: object, give_up: Callable[[], bool]) -> bool:
        """Wait for a slot in arrival order; False if `give_up()` turns true first."""
        with self._cond:
            self._queue.append(owner)
            while not (self._free > 0 and self._queue[0] is owner):
                if give_up():
                    self._queue.remove(owner)
                    self._cond.notify_all()
                    return False
                self._cond.wait(timeout=0.2)
            self._queue.pop(0)
            self._free -= 1
            self._cond.notify_all()
            return True

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            self._free += 1
            self._cond.notify_all()

    def position(self, owner: object) -> int | None:
        """1 for the next in line; None when not waiting."""
        with self._cond:
            return self._queue.index(owner) + 1 if owner in self._queue else None


TRAINING_SLOTS = Slots(max_concurrent_trainings())
STARTED: weakref.WeakSet = weakref.WeakSet()  # every runner started in this process, while kept


def active_runners() -> int:
    """How many runners in this process are training, paused or waiting for a slot."""
    return sum(runner.active for runner in list(STARTED))
