"""Ray cannot take the server down with it, and what a cluster sends back is read as data: a
cluster that cannot be reached and a local Ray instance that dies end their runs with a
sentence while this process (the server) goes on; a worker's reports are plain values, and a
result that is not a saved training state fails its run without running any code."""

import contextlib
import os
import pickle
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from rnn_core.live.child import train_to_end
from rnn_core.sweeps import ray_connection
from rnn_core.sweeps.local import run_spec
from rnn_core.sweeps.ray_driver import _checked, train_on_worker
from rnn_core.sweeps.ray_sweep import RaySweep, _Task, connect, shutdown
from rnn_core.training.state import state_from_bytes, state_to_bytes
from tests.core.sweep_data import tiny_data, tiny_sweep

pytest.importorskip("ray")


def wait_until_ended(sweep: RaySweep, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout  # a hang guard, not a timing
    while sweep.active:
        assert time.monotonic() < deadline, "the sweep's runs never ended"
        time.sleep(0.2)


def one_run_sweep(address=None, steps: int = 20) -> RaySweep:
    spec = tiny_sweep(knobs=(("Learning rate", (0.01,)),), seeds=(0,), steps=steps)
    return RaySweep(spec.runs(), tiny_data(), address=address, max_retries=0)


def test_a_malformed_cluster_address_ends_the_runs_with_rays_sentence():
    sweep = one_run_sweep("head-node")
    sweep.start()  # returns at once: Ray is reached from the driver process
    wait_until_ended(sweep)
    (result,) = sweep.results()
    assert result.state == "failed"
    assert result.message.startswith("The Ray cluster at head-node could not be reached: ")
    assert "head-node" in result.message.removeprefix("The Ray cluster at head-node")


def test_a_cluster_that_never_answers_ends_the_runs_with_a_sentence(monkeypatch):
    monkeypatch.setattr(ray_connection, "CONNECT_TIMEOUT_S", 5.0)
    sweep = one_run_sweep("192.0.2.1:6379")  # TEST-NET-1: nothing ever answers there
    sweep.start()
    assert sweep.connecting
    wait_until_ended(sweep)
    (result,) = sweep.results()
    assert result.state == "failed"
    assert result.message == (
        "The Ray cluster at 192.0.2.1:6379 could not be reached: no answer within 5 s."
    )
    assert not sweep.connecting


# What a run says when its local Ray instance dies: Ray reports its node dead, or, when the
# driver process ends first, the connection is lost.
LOST = (
    "The worker training it was lost (NodeDiedError)",
    "The connection to a Ray instance on this machine was lost (its Ray driver process ended",
)


@pytest.mark.slow
def test_a_local_ray_instance_that_dies_ends_its_runs_and_not_this_process():
    driver = connect("local", num_cpus=1)
    try:
        sweep = one_run_sweep(steps=100_000)
        sweep.start()
        deadline = time.monotonic() + 120
        while not sweep.pids():  # a hang guard, not a timing
            assert time.monotonic() < deadline, "the run never started"
            time.sleep(0.2)
        instance = _descendants(driver.pid)
        assert instance, "the driver process started no Ray processes"
        for pid in instance:  # the whole Ray instance, as an out-of-memory killer would
            _kill(pid)
        wait_until_ended(sweep)
        (result,) = sweep.results()
        assert result.state == "failed"
        assert result.message.startswith(LOST), result.message
        deadline = time.monotonic() + 300  # Ray ends its driver 60 s after losing the GCS
        while driver.problem is None:
            assert time.monotonic() < deadline, "the driver process outlived its Ray instance"
            time.sleep(0.5)
        assert driver.problem.startswith(LOST[1])  # it ended; this process goes on
        assert ray_connection._DRIVERS.get(None) is not driver  # the next sweep starts afresh
    finally:
        shutdown()


def test_a_worker_reports_only_plain_values_and_its_state_as_bytes():
    data, run = tiny_data(), tiny_sweep(seeds=(0,)).runs()[0]
    where, end = list(train_on_worker(run_spec(run, None), data))
    assert set(where) == {"host", "pid"} and isinstance(where["pid"], int)
    assert set(end) == {"host", "pid", "state"} and isinstance(end["state"], bytes)
    here = train_to_end(run_spec(run, data))
    sent = state_from_bytes(end["state"]).history
    np.testing.assert_array_equal(sent[:, :-1], here.history[:, :-1])  # all but the seconds


class Planted:
    """An object that writes a file when it is unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_anything_but_plain_values_in_a_report_fails_the_run(tmp_path):
    planted = Planted(tmp_path / "ran")
    for raw in ("text", {"pid": "1"}, {"pid": 1, "host": "h", "state": planted}):
        report, state = _checked(raw)
        assert report["state"] == "failed" and "does not read" in report["message"]
        assert state is None
    report, state = _checked({"pid": 7, "host": "node-1", "state": b"\x00"})
    assert report == {"state": "ended", "message": "", "host": "node-1", "pid": 7}
    assert state == b"\x00"


def test_a_result_that_is_not_a_training_state_is_never_unpickled(tmp_path):
    data, run = tiny_data(), tiny_sweep(seeds=(0,)).runs()[0]
    sweep = RaySweep([run, run], data)
    sweep._tasks = [_Task(run), _Task(run)]  # as `start` leaves them, without a cluster
    planted = tmp_path / "ran"
    where = {"kind": "report", "host": "node-1", "pid": 7, "state": "ended"}
    sweep.hear({**where, "index": 0}, pickle.dumps(Planted(planted)))
    sweep.hear({**where, "index": 1}, state_to_bytes(train_to_end(run_spec(run, data))))
    bad, good = sweep.results()
    assert not planted.exists()
    assert bad.state == "failed"
    assert bad.message.startswith("Its result from a Ray instance on this machine was not read")
    assert good.state == "finished" and len(good.history) and good.where == "node-1 (pid 7)"


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have ended with its parent
        os.kill(pid, signal.SIGKILL)
