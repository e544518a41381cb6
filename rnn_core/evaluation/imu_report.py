"""What a page and the files say beside a score: the weights it is of, the rate the attitude
filter ran at, and what the reference is called (a filter's estimate is never the truth)."""

from __future__ import annotations

import numpy as np

from rnn_core.datasets.imu.attitude import ATTITUDE_METHODS
from rnn_core.datasets.imu.table import ImuTable
from rnn_core.training.history import COLUMNS


def filter_rate_column(table: ImuTable) -> dict[str, float]:
    """For the predictions CSV: the rate (Hz) the attitude filter giving the inputs ran at,
    {"vqf_ran_at_hz": 285.7}; nothing when the inputs are the truth."""
    if table.filter_rate is None:
        return {}
    return {f"{table.attitude_source}_ran_at_hz": table.filter_rate}


def reference_of(table: ImuTable) -> str:
    """What roll and pitch targets are: "truth", or "<filter> estimate" without one."""
    if table.truth is not None:
        return "truth"
    return f"{ATTITUDE_METHODS[table.attitude_source].label.split(' (')[0]} estimate"


def scored_step(history: np.ndarray, step: int, early_stopped: bool) -> str:
    """Which step's weights are scored, for a header: after early stopping the weights of the
    best validation loss (history (n, C) rows of rnn_core.training.history.COLUMNS)."""
    steps, val = history[:, COLUMNS.index("step")], history[:, COLUMNS.index("val_loss")]
    known = np.isfinite(val)
    if not early_stopped or not known.any():
        return f"weights of step {step:,}"
    best = int(steps[known][np.argmin(val[known])])
    return f"weights of step {best:,}, the best validation loss; trained to {step:,}"
