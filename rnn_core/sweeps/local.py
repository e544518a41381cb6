"""A sweep on this machine: every run is a LiveRun, the Train page's own training path, and the
process-wide queue trains one per core; the rest wait their turn."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rnn_core.datasets.prepare import PreparedData
from rnn_core.live.spec import RunSpec
from rnn_core.sweeps.aggregate import RunResult
from rnn_core.sweeps.spec import SweepRun

ListenerFor = Callable[[RunSpec], object | None]  # a RunListener for each run (the run store)


def run_spec(run: SweepRun, data: PreparedData, device: str = "cpu") -> RunSpec:
    """What one run of a sweep sends to its training: settings, seed and the shared data."""
    return RunSpec(
        data=data,
        model_config=run.model_config,
        train_config=run.train_config,
        seed=run.seed,
        device=device,
        preview=False,  # a sweep's table reads losses only
    )


def state_word(state) -> str:
    """A run state as the table shows it: a RunState's value, or the word itself."""
    return getattr(state, "value", state)


class LocalSweep:
    """The runs of a sweep, each a LiveRun on this machine, started together and queued."""

    where = "this machine"

    def __init__(
        self,
        runs: Sequence[SweepRun],
        data: PreparedData,
        device: str = "cpu",
        listener_for: ListenerFor | None = None,
        run_factory: Callable | None = None,
        slots=None,
    ) -> None:
        self.runs, self.data, self.device = list(runs), data, device
        self._listener_for = listener_for or (lambda spec: None)
        self._run_factory = run_factory
        self._slots = slots  # the process-wide queue unless given (the benchmark gives one)
        self._live: list = []

    def start(self) -> None:
        """Create and start one LiveRun per run; they wait in the shared queue for a core."""
        factory = self._run_factory or _live_run
        for run in self.runs:
            spec = run_spec(run, self.data, self.device)
            live = factory(spec, self._listener_for(spec), self._slots)
            live.start()
            self._live.append(live)

    @property
    def active(self) -> bool:
        """True while any run waits, trains or is paused."""
        return any(live.active for live in self._live)

    def results(self) -> list[RunResult]:
        """Every run's state and history now (and a heartbeat, so that none is taken for
        abandoned while the page reads them)."""
        results = []
        for run, live in zip(self.runs, self._live, strict=False):
            live.heartbeat()
            results.append(
                RunResult(
                    run, state_word(live.state), live.message, live.history.frame(), self.where
                )
            )
        return results

    def stop(self) -> None:
        """Stop every run; each saves its state as stopped (queued ones never start)."""
        for live in self._live:
            live.stop(wait=0)


def _live_run(spec: RunSpec, listener, slots=None):
    from rnn_core.live.run import LiveRun  # the one training path

    return LiveRun(spec, listener) if slots is None else LiveRun(spec, listener, slots=slots)
