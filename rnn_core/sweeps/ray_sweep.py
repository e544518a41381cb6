"""A sweep on a Ray cluster: every run is a Ray task that calls the runtime's one training loop
(`train_to_end`), so the cluster trains exactly what this machine would.

Ray core tasks rather than Tune: a sweep here is a fixed grid whose every run trains to its end
(no trial scheduler, no early termination across trials), and a task maps one to one onto a run,
with Ray's own placement (one CPU each), retries of a lost worker (`max_retries`) and
cancellation (Stop). Each task is a streaming generator that first reports where it trains, then
its final state, so the page can say where each run is while it trains.

Every Ray call happens in a driver process (`ray_driver`), one per cluster address, started and
read by a thread of this process: a cluster that cannot be reached, or a local Ray instance that
dies, ends that process and the runs sent there (each with a sentence), never the server.

    page --RaySweep--> Driver (`ray_connection`, a thread here) ==pipe==> driver process --Ray-->

Ray is optional (`requirements-ray.txt`): only the driver process imports it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from rnn_core.datasets.prepare import PreparedData
from rnn_core.live.states import RunState, ended_state
from rnn_core.sweeps.aggregate import RunResult
from rnn_core.sweeps.local import ListenerFor, run_spec
from rnn_core.sweeps.ray_connection import Driver, cluster_name, connect, driver_for, shutdown
from rnn_core.sweeps.ray_driver import STOPPED
from rnn_core.sweeps.spec import SweepRun
from rnn_core.training.history import COLUMNS
from rnn_core.training.state import state_from_bytes

__all__ = ["MAX_RETRIES", "RaySweep", "cluster_name", "connect", "shutdown"]

MAX_RETRIES = 2  # a run whose worker is lost is tried again this many times, then failed


@dataclass
class _Task:
    """A submitted run and what it has said so far."""

    run: SweepRun
    listener: object = None  # the run's RunListener (the run store), told what a local run tells
    state: str = "queued"
    message: str = ""
    where: str = ""
    pid: int | None = None
    history: pd.DataFrame | None = None


class RaySweep:
    """The runs of a sweep as Ray tasks on a cluster (or a local Ray instance)."""

    def __init__(
        self,
        runs: Sequence[SweepRun],
        data: PreparedData,
        address: str | None = None,
        listener_for: ListenerFor | None = None,
        max_retries: int = MAX_RETRIES,
        num_cpus: int | None = None,
    ) -> None:
        self.runs, self.data, self.address = list(runs), data, address
        self.where = cluster_name(address)
        self._listener_for = listener_for or (lambda spec: None)
        self.max_retries, self._num_cpus = max_retries, num_cpus
        self.id = uuid.uuid4().hex
        self._tasks: list[_Task] = []
        self._lock = threading.Lock()
        self._driver: Driver | None = None

    def start(self) -> None:
        """Send the runs to the cluster's driver (the data once); they report as they go.
        ImportError when Ray is not installed; nothing here waits on the cluster."""
        specs = [run_spec(run, None) for run in self.runs]  # the data travels once, by reference
        self._driver = driver_for(self.address, self._num_cpus)
        for run, spec in zip(self.runs, specs, strict=True):
            # the store keeps what the run trains on (a set's recordings): the spec with its data
            self._tasks.append(_Task(run, self._listener_for(replace(spec, data=self.data))))
            _tell(self._tasks[-1], RunState.QUEUED)
        self._driver.submit(self, specs, self.data)

    @property
    def connecting(self) -> bool:
        """True while the runs wait for the driver process to reach the cluster."""
        driver = self._driver
        return driver is not None and not driver.connected.is_set() and self.active

    @property
    def active(self) -> bool:
        """True while any run is queued or trains on the cluster."""
        with self._lock:
            return any(t.state in ("queued", "training") for t in self._tasks)

    def results(self) -> list[RunResult]:
        """Every run's state, history (once it ended) and the host it trains on."""
        empty = pd.DataFrame(columns=list(COLUMNS), dtype=float)
        with self._lock:
            return [
                RunResult(
                    t.run, t.state, t.message, empty if t.history is None else t.history, t.where
                )
                for t in self._tasks
            ]

    def pids(self) -> dict[int, int]:
        """Run index -> process id of the worker training it (for tests that kill one)."""
        with self._lock:
            return {t.run.index: t.pid for t in self._tasks if t.pid is not None}

    def stop(self) -> None:
        """Cancel every run still queued or training: their workers are ended at once."""
        if self._driver is not None:
            self._driver.cancel(self.id)
        for t in self._tasks:
            self._end(t, RunState.STOPPED, STOPPED)

    def lost(self, problem: str) -> None:
        """End every run still queued or training with `problem` (its driver has ended)."""
        for t in self._tasks:
            self._end(t, RunState.FAILED, problem)

    def hear(self, report: dict, state: bytes | None) -> None:
        """A report from the driver process (plain values), for one run or the whole sweep."""
        if report.get("kind") == "sweep_failed":
            self.lost(f"The sweep could not start on {self.where}: {report.get('message', '')}")
            return
        index = report.get("index")
        if not isinstance(index, int) or not 0 <= index < len(self._tasks):
            return
        t = self._tasks[index]
        with self._lock:
            if t.state not in ("queued", "training"):
                return  # a report after Stop, or after the run ended
            if isinstance(report.get("pid"), int):
                t.pid, t.where = report["pid"], f"{report.get('host')} (pid {report['pid']})"
        if state is not None:
            self._finish(t, state)
        elif report.get("state") == "training":
            with self._lock:
                t.state = RunState.TRAINING.value
            _tell(t, RunState.TRAINING)
        else:
            ended = report.get("state")
            state = RunState(ended) if ended in ("stopped", "failed") else RunState.FAILED
            self._end(t, state, str(report.get("message", "")))

    def _finish(self, t: _Task, data: bytes) -> None:
        """Record a run's end from its state's bytes and hand it to its listener, as a local
        run would; a state this app cannot read fails the run with a sentence."""
        try:
            state = state_from_bytes(data)  # torch.load(weights_only=True): no code runs
        except ValueError as err:
            self._end(t, RunState.FAILED, f"Its result from {self.where} was not read: {err}")
            return
        with self._lock:
            t.history = pd.DataFrame(state.history, columns=list(COLUMNS))
        if t.listener is not None:
            t.listener.rows(state.history)
            t.listener.checkpoint(state)
        self._end(t, ended_state(state.status), state.message)

    def _end(self, t: _Task, state: RunState, message: str) -> None:
        with self._lock:
            if t.state not in ("queued", "training"):
                return
            t.state, t.message = state.value, message
        _tell(t, state, message)


def _tell(t: _Task, state: RunState, message: str = "") -> None:
    if t.listener is not None:
        t.listener.state_changed(state, message)
