"""Waiting for what another process or thread does, for tests of every kind."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], object], timeout: float = 120.0, what: str = "the condition"
) -> None:
    """Wait until `condition()` is true: something another process or thread does.

    Generous (two minutes unless told): a busy machine is slow, not wrong. Fails the test,
    naming `what`, when the time runs out.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.05)


def run_to_end(run, timeout: float = 120.0) -> None:
    """Wait for a LiveRun's training to end, polled as a page polls it (a heartbeat each time):
    on a busy machine a training process can take longer to start than a run that no page
    polls is kept (`HEARTBEAT_TIMEOUT_S`)."""
    wait_until(lambda: run.heartbeat() or not run.active, timeout, what="the training's end")
    run.wait(timeout)  # the training thread's last writes
