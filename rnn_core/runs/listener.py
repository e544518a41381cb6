"""StoreListener: keeps one live run in the store as it goes, off the training's thread.

The run's thread only appends to lists (it must be quick); a writer thread flushes them about
once a second, history rows in one transaction per batch, the latest checkpoint as files written
atomically, a state change at once. A server killed at any moment then loses at most the last
second of history and the steps since the last checkpoint.

Every write checks that this server still trains the run (its lease, `rnn_core.runs.leases`):
once another server has taken the run over, this listener writes nothing more of it. A run keeps
at most MAX_HISTORY_ROWS history rows, however often it is resumed: past them, nothing more of it
is written. Either way `unkept()` says so in a sentence for the page.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnn_core.bounds import MAX_HISTORY_ROWS
from rnn_core.runs.leases import ACTIVE, LeaseLost
from rnn_core.runs.store import RunStore

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 1.0  # history rows reach the store this often


def lost_sentence(step: int) -> str:
    """What the Train page says once another server trains the run: from `step` on, unkept."""
    return (
        f"Another server took this run over at step {step:,}: what this page trains now is not "
        "kept; open the run on Runs to see it."
    )


def full_sentence(step: int, limit: int = MAX_HISTORY_ROWS) -> str:
    """What the Train page says once the run's history holds all the rows a run may keep."""
    return (
        f"This run's history holds {limit:,} rows, the most one run keeps: the steps after step "
        f"{step:,} are not kept. Rewind (or change the model or the seed) to start a new run."
    )


def weights_bytes(step: int, weights: dict[str, torch.Tensor]) -> bytes:
    """A weight snapshot as a file that loads with torch.load(weights_only=True)."""
    buffer = io.BytesIO()
    torch.save({"step": int(step), "weights": weights}, buffer)
    return buffer.getvalue()


def _encode_state(state) -> bytes:
    from rnn_core.training.state import state_to_bytes  # the runtime's own format

    return state_to_bytes(state)


class StoreListener:
    """A RunListener (rows, checkpoint, state_changed) writing one run into a RunStore."""

    def __init__(
        self,
        store: RunStore,
        run_id: str,
        flush_interval: float = FLUSH_INTERVAL_S,
        encode: Callable[[Any], bytes] = _encode_state,
        create: Callable[[], object] | None = None,
    ) -> None:
        self.store, self.run_id = store, run_id
        self.create = create  # makes the run's record, before the first write
        self.flush_interval, self.encode = flush_interval, encode
        self.problem: str | None = None  # a sentence when the store could not be written
        self.lost = False  # another server took the run over: nothing more is written
        self.full = False  # the run holds max_rows history rows: nothing more is written
        self.max_rows = MAX_HISTORY_ROWS
        self.kept_step = 0  # the last step whose history row is in the store
        self._kept_rows: int | None = None  # history rows in the store, read at the first flush
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._rows: list[np.ndarray] = []
        self._checkpoint = None  # the latest TrainingState not yet written
        self._state: tuple[str, str] | None = None  # not yet written
        self._current = "queued"  # the run's latest state, written or not
        self._writer: threading.Thread | None = None

    def unkept(self) -> str | None:
        """A sentence when what the run trains now is not being kept (another server trains
        it, its history is full, or the store cannot be written), else None."""
        if self.lost:
            return lost_sentence(self.kept_step)
        if self.full:
            return full_sentence(self.kept_step, self.max_rows)
        return self.problem

    def rows(self, rows: np.ndarray) -> None:
        """New history rows (n, C): kept until the next flush."""
        if self.lost or self.full:
            return
        with self._lock:
            self._rows.append(np.array(rows, dtype=float, copy=True))
        self._ensure_writer()

    def checkpoint(self, state) -> None:
        """A full TrainingState: the latest one is written at the next flush."""
        if self.lost or self.full:
            return
        with self._lock:
            self._checkpoint = state
        self._ensure_writer()

    def state_changed(self, state, message: str) -> None:
        """The run's new state: written now (after the rows and checkpoint before it)."""
        with self._lock:
            self._state = (str(getattr(state, "value", state)), message)
            self._current = self._state[0]
        self._ensure_writer()
        self._wake.set()

    def flush(self) -> None:
        """Write whatever is pending, in order: rows, checkpoint, state (one flush at a time:
        `close` may flush while the writer thread does)."""
        with self._flushing:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            rows, self._rows = self._rows, []
            checkpoint, self._checkpoint = self._checkpoint, None
            state, self._state = self._state, None
        if self.lost:
            return
        try:
            if self.create is not None:
                self.create()
                self.create = None
            if rows:
                self._append(np.concatenate(rows))
            step = None if checkpoint is None else int(checkpoint.steps_done)
            if step is not None and (not self.full or step <= self.kept_step):
                weights = weights_bytes(step, checkpoint.weights)
                self.store.save_state(self.run_id, step, self.encode(checkpoint), weights)
            if state is not None:
                self.store.set_state(self.run_id, *state)
            self.problem = None
        except LeaseLost as lost:  # never a second writer of the run: what is pending is dropped
            log.warning("run %s is trained by another server now", self.run_id)
            self.lost, self.problem = True, str(lost)
        except Exception as error:  # keep training; the page says the run is not being kept
            log.exception("could not write run %s to the store", self.run_id)
            self.problem = f"This run could not be saved to the run store ({error})."
            with self._lock:  # try again at the next flush, oldest first
                self._rows = rows + self._rows
                self._checkpoint = self._checkpoint or checkpoint
                self._state = self._state or state

    def _append(self, rows: np.ndarray) -> None:
        """Write rows (n, C) up to the run's bound; past it the run is full (said by unkept)."""
        if self._kept_rows is None:
            (count, last), *_ = self.store.database.query(
                "SELECT COUNT(*), MAX(step) FROM rnn_history WHERE run_id = ?", (self.run_id,)
            )
            self._kept_rows, self.kept_step = int(count), int(last or 0)
        new = rows[:, 0] > self.kept_step  # earlier steps replace stored rows (a resume)
        room = self.max_rows - self._kept_rows
        if int(new.sum()) > room:
            rows = rows[: int(np.flatnonzero(new)[room]) if room >= 0 else 0]
            self.full = True
        if len(rows) == 0:
            return
        self.store.append_rows(self.run_id, rows)
        self._kept_rows += int((rows[:, 0] > self.kept_step).sum())
        self.kept_step = max(self.kept_step, int(rows[:, 0].max()))

    def close(self, timeout: float = 10.0) -> None:
        """Write what is pending and wait for the writer to end."""
        self._wake.set()
        with self._lock:
            writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join(timeout)
        self.flush()

    def _ensure_writer(self) -> None:
        with self._lock:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, name="run-store", daemon=True)
                self._writer.start()

    def _write(self) -> None:
        """Flush every interval (at once on a state change) until the run has ended and all
        it reported is written; a later report starts a new writer."""
        while True:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            self.flush()
            with self._lock:
                pending = self._rows or self._checkpoint is not None or self._state is not None
                if self.lost or self.full or self._current not in ACTIVE and not pending:
                    self._writer = None
                    return
