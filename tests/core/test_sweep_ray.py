"""A sweep on a real local Ray instance (the same code path as a cluster): its table, means and
spreads equal those of its runs' histories, a lost worker is retried or marked failed, and Stop
ends every run within seconds. Ray starts once for this module."""

import os
import signal

import numpy as np
import pytest

from rnn_core.live.child import train_to_end
from rnn_core.sweeps.aggregate import summary_table
from rnn_core.sweeps.local import run_spec
from tests.core.sweep_data import tiny_data, tiny_sweep
from tests.waiting import wait_until

ray = pytest.importorskip("ray")
from rnn_core.sweeps.ray_sweep import RaySweep, connect, shutdown  # noqa: E402

pytestmark = pytest.mark.slow  # left out of make test-fast


@pytest.fixture(scope="module")
def cluster():
    connect("local", num_cpus=2)
    yield
    shutdown()


def test_a_sweep_on_ray_equals_its_runs_trained_here(cluster):
    data, spec = tiny_data(), tiny_sweep(seeds=(0, 1))
    heard = {}

    class Listener:
        def __init__(self, spec):
            self.key = (spec.model_config, spec.train_config, spec.seed)

        def rows(self, rows):
            heard[self.key] = rows

        def checkpoint(self, state):
            pass

        def state_changed(self, state, message):
            pass

    sweep = RaySweep(spec.runs(), data, listener_for=Listener)
    sweep.start()
    wait_until(lambda: not sweep.active)
    results = sweep.results()
    assert [r.state for r in results] == ["finished"] * 8
    assert all(r.where for r in results)
    for result in results:  # the same seed trains the same curve here as on the cluster
        here = train_to_end(run_spec(result.run, data))
        np.testing.assert_allclose(
            result.history["val_loss"].to_numpy(), here.history[:, 2], rtol=1e-6
        )
        assert len(heard[(result.run.model_config, result.run.train_config, result.run.seed)])
    summary = summary_table(results, spec.knob_names)
    for _, row in summary.iterrows():
        mine = [r for r in results if r.run.setting == tuple(row[list(spec.knob_names)])]
        final = [r.history["val_loss"].dropna().iloc[-1] for r in mine]
        np.testing.assert_allclose(
            [row["final mean"], row["final std"]], [np.mean(final), np.std(final, ddof=1)]
        )


@pytest.mark.parametrize("retries", [0, 1])
def test_a_worker_killed_mid_run_is_retried_or_marked_failed(cluster, retries):
    data = tiny_data()
    spec = tiny_sweep(knobs=(("Learning rate", (0.01,)),), seeds=(0, 1), steps=800)
    sweep = RaySweep(spec.runs(), data, max_retries=retries)
    sweep.start()
    wait_until(lambda: 0 in sweep.pids())
    killed = sweep.pids()[0]
    os.kill(killed, signal.SIGKILL)
    wait_until(lambda: not sweep.active, timeout=300)
    first, second = sweep.results()
    assert second.state == "finished"  # the other run goes on
    if retries:
        assert first.state == "finished"
        assert f"pid {killed})" not in first.where  # a new worker trained it
    else:
        assert first.state == "failed"
        assert "worker training it was lost" in first.message


def test_stop_ends_every_run_within_seconds(cluster):
    spec = tiny_sweep(knobs=(("Learning rate", (0.01,)),), seeds=(0, 1, 2), steps=100_000)
    sweep = RaySweep(spec.runs(), tiny_data())
    sweep.start()
    wait_until(lambda: len(sweep.pids()) == 2)  # two train, the third waits for a CPU
    sweep.stop()
    assert [r.state for r in sweep.results()] == ["stopped"] * 3
    assert not sweep.active
    for pid in sweep.pids().values():  # the workers are gone, not just forgotten
        wait_until(lambda pid=pid: not _alive(pid), timeout=30)  # a hang guard, not a timing


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"  # a zombie has ended too
