"""What a run tells the page (a snapshot per refresh) and a listener (a run store)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from rnn_core.live.states import RunState
from rnn_core.training.state import TrainingState


class RunListener(Protocol):
    """Told what a run reports, on the run's own thread in the server process (be quick)."""

    def rows(self, rows: np.ndarray) -> None: ...

    def checkpoint(self, state: TrainingState) -> None: ...

    def state_changed(self, state: RunState, message: str) -> None: ...


@dataclass(frozen=True)
class RunSnapshot:
    """What a page needs to draw one refresh; its size does not grow with training."""

    state: RunState
    message: str
    history: pd.DataFrame  # thinned to at most ~2 * max_points rows
    steps_done: int
    steps_per_second: float
    preview: Any  # whatever the preview function returned last, or None
    queue_position: int | None
    peak_memory_mib: float | None = None  # what the last run added at its peak (None: unknown)
    device: str = "CPU"  # where the model trains, as `device_label` says it


def steps_per_second(history: pd.DataFrame, window: int = 50) -> float:
    """Recent optimizer steps per second of training time."""
    if len(history) < 2:
        return 0.0
    tail = history.iloc[-window:]
    steps = tail["step"].iloc[-1] - tail["step"].iloc[0]
    seconds = tail["seconds"].iloc[-1] - tail["seconds"].iloc[0]
    return float(steps / seconds) if seconds > 0 else 0.0
