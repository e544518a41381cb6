"""A sweep on a Ray cluster: every run is a Ray task that calls the runtime's one training loop
(`train_to_end`), so the cluster trains exactly what this machine would.

Ray core tasks rather than Tune: a sweep here is a fixed grid whose every run trains to its end
(no trial scheduler, no early termination across trials), and a task maps one to one onto a run,
with Ray's own placement (one CPU each), retries of a lost worker (`max_retries`) and
cancellation (Stop). Each task is a streaming generator that first reports where it trains, then
its final state, so the page can say where each run is while it trains.

Ray is optional (`requirements-ray.txt`): it is imported only here, and only when a sweep is sent
to a cluster.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from rnn_core.datasets.prepare import PreparedData
from rnn_core.live.child import train_to_end
from rnn_core.live.spec import RunSpec
from rnn_core.live.states import RunState, ended_state
from rnn_core.sweeps.aggregate import RunResult
from rnn_core.sweeps.local import ListenerFor, run_spec
from rnn_core.sweeps.spec import SweepRun
from rnn_core.training.history import COLUMNS
from rnn_core.training.state import TrainingState

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_CONNECTED: list[str | None] = []  # the address this process connected to, once it has
STOPPED = "Stopped before the end (Stop)."
MAX_RETRIES = 2  # a run whose worker is lost is tried again this many times, then failed
# Shipped to every worker as its working directory, so that it imports this project's modules;
# nothing else (no environment to build, no package to fetch: workers have requirements.txt).
PACKAGE_EXCLUDES = [".git", ".venv", "data", "test-artifacts", "tests", "*.png", "__pycache__"]


def runtime_env() -> dict:
    """What every worker gets: this project as its working directory (uploaded through the
    cluster's own store, never fetched from outside) and one torch thread per run."""
    return {
        "working_dir": str(PROJECT_ROOT),
        "excludes": PACKAGE_EXCLUDES,
        "env_vars": {"OMP_NUM_THREADS": "1"},
    }


def connect(address: str | None = None, num_cpus: int | None = None):
    """The ray module, connected to `address` ("local" or None: a Ray instance on this machine
    with `num_cpus`); once per process (ValueError with a sentence for another address later)."""
    import ray  # optional: only a sweep sent to a cluster needs it

    local = address in (None, "local")
    if ray.is_initialized() and _CONNECTED and _CONNECTED[0] != (None if local else address):
        raise ValueError(
            f"This server already sends sweeps to {_CONNECTED[0] or 'a local Ray instance'}; "
            "restart the app to use another cluster."
        )
    if not ray.is_initialized():
        _CONNECTED[:] = [None if local else address]
        ray.init(
            address=None if local else address,
            num_cpus=num_cpus if local else None,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env=runtime_env(),
        )
    return ray


def train_on_worker(spec: RunSpec, data: PreparedData):
    """The Ray task: say where it trains, then train the spec to its end and yield the state."""
    import torch

    torch.set_num_threads(1)
    where = {"host": socket.gethostname(), "pid": os.getpid()}
    yield where
    state = train_to_end(replace(spec, data=data))
    yield {**where, "state": state}


@dataclass
class _Task:
    """A submitted run: its generator of reports and what it has said so far."""

    run: SweepRun
    spec: RunSpec
    reports: object  # ray.ObjectRefGenerator
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
        local = address in (None, "local")
        self.where = "a Ray instance on this machine" if local else f"the Ray cluster {address}"
        self._listener_for = listener_for or (lambda spec: None)
        self.max_retries, self._num_cpus = max_retries, num_cpus
        self._tasks: list[_Task] = []

    def start(self) -> None:
        """Send the data once to the cluster's object store, then one task per run."""
        ray = connect(self.address, self._num_cpus)
        data_ref = ray.put(self.data)
        task = ray.remote(train_on_worker).options(
            num_cpus=1, max_retries=self.max_retries, num_returns="streaming"
        )
        for run in self.runs:
            spec = run_spec(run, None)  # the data travels once, by reference
            reports = task.remote(spec, data_ref)
            self._tasks.append(_Task(run, spec, reports, self._listener_for(spec)))
            self._tell(self._tasks[-1], RunState.QUEUED)

    @property
    def active(self) -> bool:
        """True while any run is queued or trains on the cluster."""
        self._poll()
        return any(t.state in ("queued", "training") for t in self._tasks)

    def results(self) -> list[RunResult]:
        """Every run's state, history (once it ended) and the host it trains on."""
        self._poll()
        empty = pd.DataFrame(columns=list(COLUMNS), dtype=float)
        return [
            RunResult(
                t.run, t.state, t.message, t.history if t.history is not None else empty, t.where
            )
            for t in self._tasks
        ]

    def pids(self) -> dict[int, int]:
        """Run index -> process id of the worker training it (for tests that kill one)."""
        self._poll()
        return {t.run.index: t.pid for t in self._tasks if t.pid is not None}

    def stop(self) -> None:
        """Cancel every run still queued or training: their workers are ended at once."""
        import ray

        for t in self._tasks:
            if t.state in ("queued", "training"):
                ray.cancel(t.reports, force=True)
                self._end(t, RunState.STOPPED, STOPPED)

    def _poll(self) -> None:
        import ray

        for t in self._tasks:
            while t.state in ("queued", "training"):
                ready, _ = ray.wait([t.reports], timeout=0)
                if not ready:
                    break
                self._take(ray, t)

    def _take(self, ray, t: _Task) -> None:
        """Read the task's next report: where it trains, its end, or the error that ended it."""
        try:
            report = ray.get(next(t.reports))
        except StopIteration:  # ended without its final state: said, never silent
            self._end(t, RunState.FAILED, "The run ended without reporting its result.")
            return
        except ray.exceptions.TaskCancelledError:
            self._end(t, RunState.STOPPED, STOPPED)
            return
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as err:
            lost = f"The worker training it was lost ({type(err).__name__})"
            tries = f", and so were its {self.max_retries} retries." if self.max_retries else "."
            self._end(t, RunState.FAILED, lost + tries)
            return
        except ray.exceptions.RayError as err:
            self._end(t, RunState.FAILED, f"It failed on the cluster: {_first_line(err)}")
            return
        t.pid = report["pid"]
        t.where = f"{report['host']} (pid {report['pid']})"
        if "state" not in report:
            t.state = RunState.TRAINING.value
            self._tell(t, RunState.TRAINING)
            return
        self._finish(t, report["state"])

    def _finish(self, t: _Task, state: TrainingState) -> None:
        """Record a run's end and hand it to its listener, as a local run would."""
        t.history = pd.DataFrame(state.history, columns=list(COLUMNS))
        if t.listener is not None:
            t.listener.rows(state.history)
            t.listener.checkpoint(state)
        self._end(t, ended_state(state.status), state.message)

    def _end(self, t: _Task, state: RunState, message: str) -> None:
        t.state, t.message = state.value, message
        self._tell(t, state, message)

    @staticmethod
    def _tell(t: _Task, state: RunState, message: str = "") -> None:
        if t.listener is not None:
            t.listener.state_changed(state, message)


def _first_line(err: Exception) -> str:
    lines = [line for line in str(err).splitlines() if line.strip()]
    return lines[-1][:300] if lines else type(err).__name__
