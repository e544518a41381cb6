"""A sweep's runs per minute: on this machine with one and two trainings at once, and through a
Ray instance on the same machine (two CPUs), first with its workers starting, then warm. Each
local run is a LiveRun (a training process from the fork server, started before measuring); each
Ray run a task on a worker process that stays up between tasks."""

from __future__ import annotations

import time

import numpy as np

from rnn_core.datasets.prepare import prepare_series
from rnn_core.models import ModelConfig
from rnn_core.sweeps.spec import SweepSpec
from rnn_core.training.trainer import TrainConfig


def bench_sweep(seeds: int, steps: int) -> tuple[SweepSpec, object]:
    """Two learning rates x `seeds` seeds of an LSTM 32 on a sine, `steps` steps per run."""
    t = np.arange(2000) / 20.0
    series = np.stack([np.sin(2 * np.pi * f * t) for f in (0.3, 0.5, 0.7, 1.1)])[..., None]
    data = prepare_series(series.astype(np.float32), seq_len=50)
    spec = SweepSpec(
        knobs=(("Learning rate", (0.003, 0.01)),),
        seeds=tuple(range(seeds)),
        model_config=ModelConfig(cell="lstm", hidden_size=32),
        train_config=TrainConfig(max_steps=steps, batch_size=32, eval_every=50),
    )
    return spec, data


def runs_per_minute(sweep, poll: float = 0.05) -> float:
    """Start a sweep, wait for its end, and return its runs per minute of wall time."""
    started = time.perf_counter()
    sweep.start()
    while sweep.active:
        sweep.results()  # as the page polls: it also keeps the runs alive
        time.sleep(poll)
    seconds = time.perf_counter() - started
    states = {r.state for r in sweep.results()}
    assert states == {"finished"}, states
    return 60.0 * len(sweep.runs) / seconds


def sweep_rows(seeds: int = 4, steps: int = 300) -> list[str]:
    """Markdown rows: runs per minute of the same sweep locally (1 and 2 at once) and on Ray."""
    from rnn_core.live.slots import Slots
    from rnn_core.sweeps.local import LocalSweep

    spec, data = bench_sweep(seeds, steps)
    runs = spec.runs()
    runs_per_minute(LocalSweep(runs[:1], data))  # not counted: starts the fork server
    one = runs_per_minute(LocalSweep(runs, data, slots=Slots(1)))
    two = runs_per_minute(LocalSweep(runs, data, slots=Slots(2)))
    rows = [
        f"| this machine, 1 training at a time | {one:.1f} | {one / two:.2f} |",
        f"| this machine, 2 at a time (one per core) | {two:.1f} | 1.00 |",
    ]
    try:
        from rnn_core.sweeps.ray_sweep import RaySweep, connect
    except ImportError:
        return [*rows, "| Ray | not installed (`make install-ray`) | |"]
    started = time.perf_counter()
    connect("local", num_cpus=2)
    boot = time.perf_counter() - started
    cold = runs_per_minute(RaySweep(runs, data))
    warm = runs_per_minute(RaySweep(runs, data))
    return [
        *rows,
        f"| Ray on this machine (2 CPUs), workers starting | {cold:.1f} | {cold / two:.2f} |",
        f"| Ray on this machine (2 CPUs), workers warm | {warm:.1f} | {warm / two:.2f} |",
        f"| (Ray's own start, `ray.init`, not counted above: {boot:.1f} s) | | |",
    ]
