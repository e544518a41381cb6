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
