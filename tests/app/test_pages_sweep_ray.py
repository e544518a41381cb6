"""The Sweep page sent to Ray by the operator (a local instance, the same path as a cluster): the
runs train there, and the table of every run says where each one trained. Ray starts once for
this module."""

import socket

import pytest

from tests.app.conftest import no_problems, run_sweep, sweep_page

pytestmark = pytest.mark.slow  # left out of make test-fast

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    from rnn_core.sweeps.ray_sweep import connect, shutdown

    connect("local", num_cpus=2)
    yield
    shutdown()


def test_a_sweep_on_ray_says_where_each_run_trained(local_ray, monkeypatch):
    monkeypatch.setenv("RAY_ADDRESS", "local")  # the operator's setting, read by the page
    at = sweep_page(steps=20)
    at.selectbox(key="opt.sweep.knob2").set_value("(none)").run()
    at.text_input(key="opt.sweep.values1").input("0.01, 0.03").run()
    at.number_input(key="opt.sweep.seeds").set_value(2).run()
    run_sweep(at)
    no_problems(at)
    assert any("on a Ray instance on this machine" in c.value for c in at.caption)
    runs = at.dataframe[0].value
    assert list(runs["state"]) == ["finished"] * 4
    assert all(where.startswith(f"{socket.gethostname()} (pid ") for where in runs["where"])
