"""A small sweep on this machine, through the Train page's training path: its table equals the
runs' own histories, a diverging setting is reported and never stops the others, Stop ends
every run, and each run is handed to the listener the run store attaches."""

import subprocess
import sys
import time
from dataclasses import replace

import numpy as np

from rnn_core.live.child import train_to_end
from rnn_core.live.slots import Slots
from rnn_core.sweeps.aggregate import final_validation, summary_table
from rnn_core.sweeps.local import LocalSweep, run_spec
from tests.core.sweep_data import tiny_data, tiny_sweep
from tests.paths import ROOT


def wait_until_done(sweep, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while sweep.active:
        assert time.monotonic() < deadline, "the sweep did not end"
        sweep.results()  # the page's poll: it also keeps the runs alive
        time.sleep(0.1)


def test_a_local_sweep_equals_its_runs_trained_alone():
    data, spec = tiny_data(), tiny_sweep(seeds=(0, 1))
    specs = []
    sweep = LocalSweep(spec.runs(), data, listener_for=lambda s: specs.append(s), slots=Slots(2))
    sweep.start()
    wait_until_done(sweep)
    results = sweep.results()
    assert [r.state for r in results] == ["finished"] * 8
    assert [(s.seed, s.train_config.seed) for s in specs] == [(r.seed, r.seed) for r in spec.runs()]
    for result in results:  # the same seed gives the same curve, alone or in a sweep
        alone = train_to_end(run_spec(result.run, data))
        np.testing.assert_allclose(
            result.history["val_loss"].to_numpy(), alone.history[:, 2], rtol=1e-6
        )
    summary = summary_table(results, spec.knob_names)
    for _, row in summary.iterrows():
        final = [
            final_validation(r.history)
            for r in results
            if r.run.setting == tuple(row[list(spec.knob_names)])
        ]
        np.testing.assert_allclose(
            [row["final mean"], row["final std"], row["final min"], row["final max"]],
            [np.mean(final), np.std(final, ddof=1), np.min(final), np.max(final)],
        )


def test_a_diverging_setting_is_reported_and_the_others_finish():
    knobs = (("Learning rate", (0.01, 10.0)), ("Cell", ("RNN (relu)",)))
    spec = tiny_sweep(knobs=knobs, seeds=(0,), steps=40)
    unclipped_sgd = {"optimizer": "sgd", "clip_grad_norm": None}
    runs = [replace(r, train_config=replace(r.train_config, **unclipped_sgd)) for r in spec.runs()]
    sweep = LocalSweep(runs, tiny_data(), slots=Slots(2))
    sweep.start()
    wait_until_done(sweep)
    calm, wild = sweep.results()
    assert calm.state == "finished"
    assert wild.state == "diverged" and "diverged" in wild.message


def test_stop_ends_every_run():
    spec = tiny_sweep(knobs=(("Learning rate", (0.01,)),), seeds=(0, 1, 2), steps=100_000)
    sweep = LocalSweep(spec.runs(), tiny_data(), slots=Slots(2))
    sweep.start()
    sweep.stop()
    wait_until_done(sweep, timeout=30)  # a hang guard, not a timing
    assert {r.state for r in sweep.results()} == {"stopped"}


def test_ray_is_imported_only_when_a_sweep_goes_to_a_cluster():
    code = (
        "import sys, ui.sweep.setup, ui.sweep.view, rnn_core.sweeps.ray_sweep, "
        "rnn_core.sweeps.local; assert 'ray' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
