"""Two servers on one store, on SQLite and on PostgreSQL: a run trained by a live server is
never interrupted nor resumed by another, and no step of it is lost or overwritten; a server
that died (killed, or its lease not renewed) has its runs interrupted."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import numpy as np
import pytest

from rnn_core.runs import open_store
from rnn_core.runs.leases import ELSEWHERE, LOST, STALE_S, LeaseLost, RunElsewhere
from rnn_core.runs.listener import StoreListener
from rnn_core.runs.live import reopened_run
from tests.browser.server import ROOT
from tests.core.lease_server import row
from tests.core.test_run_store import new_run, rows
from tests.waiting import wait_until

STOPPED = "The server stopped while this run was training."


def start_server(location, control):
    """The first server, in a process of its own, training one run; (process, run id)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.core.lease_server", location, str(control)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, process.stdout.readline().strip()


def expected_history(last_step):
    return np.stack([row(step) for step in range(1, last_step + 1)])


def test_a_second_server_leaves_a_live_servers_run_alone(store_location, tmp_path):
    first, run_id = start_server(store_location, tmp_path)
    try:
        second = open_store(store_location)  # what a server does when it starts
        wait_until(lambda: second.get(run_id).steps >= 50)
        assert second.interrupt_stale(STALE_S, STOPPED) == 0
        (listed,) = second.runs("alice")
        assert listed.state == "training" and listed.server != second.lease.id
        where = f"{socket.gethostname()}, process {first.pid}"
        assert second.elsewhere(run_id) == ELSEWHERE.format(where=where)
        with pytest.raises(RunElsewhere, match="training on another server"):
            second.claim(run_id)
        with pytest.raises(RunElsewhere, match="training on another server"):
            reopened_run(second, listed, data=None, device="cpu")  # refused before anything
        with pytest.raises(RunElsewhere, match="training on another server"):
            second.delete("alice", run_id)
        assert second.interrupt_stale(STALE_S, STOPPED) == 0  # the Runs page asks again
        (tmp_path / "finish").touch()
        last_step = int(first.stdout.readline())
        assert first.wait(60) == 0
    finally:
        first.kill()
        first.wait()
    record = second.get(run_id)
    assert record.state == "finished" and record.steps == last_step > 50
    history = second.history(run_id).to_numpy()
    np.testing.assert_array_equal(history, expected_history(last_step))  # every step, as trained
    assert second.elsewhere(run_id) is None
    second.claim(run_id)  # ended: this server may resume it now
    assert second.get(run_id).server == second.lease.id
    second.close()


def test_a_killed_servers_run_is_interrupted_with_what_it_wrote(store_location, tmp_path):
    first, run_id = start_server(store_location, tmp_path)
    second = open_store(store_location)
    wait_until(lambda: (second.get(run_id).checkpoint_step or 0) >= 20)
    first.send_signal(signal.SIGKILL)  # nothing is flushed, the lease is never released
    first.wait()
    kept = second.get(run_id)
    assert kept.state == "training"
    # its process is gone from this machine: dead at once, whatever the heartbeat says
    assert second.interrupt_stale(STALE_S, STOPPED) == 1
    record = second.get(run_id)
    assert (record.state, record.message, record.server) == ("interrupted", STOPPED, None)
    history = second.history(run_id).to_numpy()
    np.testing.assert_array_equal(history, expected_history(len(history)))
    assert len(history) == kept.steps >= record.checkpoint_step
    assert second.elsewhere(run_id) is None
    second.claim(run_id)  # Resume may take it over
    second.close()


def test_a_lease_not_renewed_for_long_ends_on_another_machine_too(store_location):
    first, second = open_store(store_location), open_store(store_location)
    first.lease.renew_s = 3600.0  # its thread renews no more during the test
    run = new_run(first, state="training")
    with first.database.transaction() as tx:  # as if it served from another machine
        tx("UPDATE rnn_servers SET host = 'elsewhere/boot' WHERE id = ?", (first.lease.id,))
    assert second.interrupt_stale(STALE_S, STOPPED) == 0  # a fresh lease: alive
    assert second.elsewhere(run.id) is not None
    with first.database.transaction() as tx:  # half a minute and more without a renewal
        tx("UPDATE rnn_servers SET heartbeat = heartbeat - ?", (STALE_S + 1.0,))
    assert second.elsewhere(run.id) is None
    assert second.interrupt_stale(STALE_S, STOPPED) == 1
    assert second.get(run.id).state == "interrupted"
    first.close()
    second.close()


def test_a_server_that_lost_its_lease_writes_nothing_more(store_location):
    first, second = open_store(store_location), open_store(store_location)
    first.lease.renew_s = 3600.0
    run = new_run(first, state="training")
    listener = StoreListener(first, run.id, encode=lambda state: b"state")
    listener.rows(rows(1, 11))
    listener.flush()
    with first.database.transaction() as tx:  # its server stalled past the lease
        tx("UPDATE rnn_servers SET heartbeat = heartbeat - ?", (STALE_S + 1.0,))
    assert second.interrupt_stale(STALE_S, STOPPED) == 1
    second.claim(run.id)
    second.append_rows(run.id, rows(11, 16))  # the run goes on on the second server
    listener.rows(rows(11, 21) * 2.0)  # the stalled first server wakes up and reports more
    listener.state_changed("finished", "")
    listener.flush()
    assert listener.lost and listener.problem == LOST
    with pytest.raises(LeaseLost):
        first.append_rows(run.id, rows(21, 22))
    np.testing.assert_array_equal(second.history(run.id).to_numpy(), rows(1, 16))
    assert second.get(run.id).state == "interrupted"  # not the first server's "finished"
    listener.close()
    first.close()
    second.close()


def test_the_lease_is_renewed_by_its_thread_and_released_on_close(store_location):
    store = open_store(store_location)
    store.lease.renew_s = 0.05
    new_run(store, state="training")

    def heartbeat():
        found = store.database.query(
            "SELECT heartbeat FROM rnn_servers WHERE id = ?", (store.lease.id,)
        )
        return found[0][0] if found else None

    first = heartbeat()
    wait_until(lambda: heartbeat() > first)
    other = open_store(store_location)
    store.close()
    assert other.database.query("SELECT id FROM rnn_servers") == []
    assert other.interrupt_stale(STALE_S, STOPPED) == 1  # a closed store trains nothing
    other.close()


def test_rows_of_servers_gone_for_a_day_are_removed_and_their_runs_interrupted(store_location):
    first, second = open_store(store_location), open_store(store_location)
    first.lease.renew_s = 3600.0
    left = new_run(first, state="paused")
    with first.database.transaction() as tx:  # gone two days ago, on another machine
        tx("UPDATE rnn_servers SET heartbeat = heartbeat - ?, host = 'gone/boot'", (2 * 86_400.0,))
    new_run(second, state="training")  # the second server takes its lease
    servers = second.database.query("SELECT id FROM rnn_servers")
    assert servers == [(second.lease.id,)]
    assert second.interrupt_stale(STALE_S, STOPPED) == 1
    assert second.get(left.id).state == "interrupted"
    first.close()
    second.close()
