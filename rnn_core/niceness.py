"""How background work yields the CPU to the pages people are looking at (a leaf of the core: it
imports nothing of the project).

Training processes run at TRAINING_NICENESS; the live phone's threads (the poller or receiver,
and the worker that runs the filters) take the same niceness for themselves, so on a busy
machine they share with training equally and both yield to the server's page threads. On Linux
the niceness belongs to a thread, so lowering one thread's leaves the server's others as they
are. Raising niceness needs no privilege; it cannot be lowered again, which is why each
background thread lowers only itself."""

import os
import threading

TRAINING_NICENESS = 19  # the lowest priority: what a training process and the phone's threads take


def yield_this_thread(niceness: int = TRAINING_NICENESS) -> bool:
    """Give the calling thread `niceness` (Linux: per thread); False where that cannot be done."""
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, niceness))
    except (AttributeError, OSError):  # not Linux, or not allowed
        return False
    return True
