"""A second server process for the lease tests: it opens the store, trains one run (rows of a
known formula, a checkpoint every 10 steps) through a StoreListener, as a server does, until a
file named `finish` appears in its control folder; then it ends the run as finished.

    python -m tests.core.lease_server <store location> <control folder>

It prints the run's id once the run is in the store, and its last step when it has finished.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

from rnn_core.runs import open_store
from rnn_core.runs.listener import StoreListener

CHECKPOINT_EVERY = 10
MAX_STEPS = 100_000


def row(step: int) -> np.ndarray:
    """The history row (step, loss, val_loss, grad_norm, lr, seconds) trained at `step`."""
    val = 0.5 / step if step % 5 == 0 else np.nan
    return np.array([step, 1.0 / step, val, 0.1 * step, 1e-3, 0.01 * step])


def checkpoint(step: int) -> SimpleNamespace:
    """A training state as the listener sees one: its step and weights."""
    return SimpleNamespace(steps_done=step, weights={"w": torch.full((2, 2), float(step))})


def train(location: str, control: Path) -> None:
    """Train one run until `control/finish` exists."""
    store = open_store(location)
    run_id = "c" * 32
    listener = StoreListener(
        store,
        run_id,
        encode=lambda state: f"state {state.steps_done}".encode(),
        create=lambda: store.create_run(
            "alice",
            name="n",
            source="s",
            cell="LSTM",
            parameters=1,
            seed=0,
            settings={},
            run_id=run_id,
            state="training",
        ),
    )
    listener.state_changed("training", "")
    listener.flush()
    print(run_id, flush=True)
    step = 0
    while step < MAX_STEPS and not (control / "finish").exists():
        step += 1
        listener.rows(row(step)[None, :])
        if step % CHECKPOINT_EVERY == 0:
            listener.checkpoint(checkpoint(step))
        time.sleep(0.005)
    listener.state_changed("finished", f"Finished after {step} steps.")
    listener.close()
    print(step, flush=True)
    store.close()


if __name__ == "__main__":
    train(sys.argv[1], Path(sys.argv[2]))
