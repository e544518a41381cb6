"""What a live run trains and the store does not keep, said in a sentence: once another server
has taken the run over (its step named), and once the run's history holds the most rows a run
keeps (however often it is resumed); past either, nothing more of the run is written."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core.runs import open_store
from rnn_core.runs.leases import STALE_S
from rnn_core.runs.listener import StoreListener, full_sentence, lost_sentence
from tests.core.test_run_listener import FakeState, encode
from tests.core.test_run_store import new_run, rows


def test_a_run_taken_over_says_at_which_step_and_writes_nothing_more(store_location):
    first, second = open_store(store_location), open_store(store_location)
    first.lease.renew_s = 3600.0  # its thread renews no more during the test
    run = new_run(first, state="training")
    listener = StoreListener(first, run.id, encode=encode)
    listener.rows(rows(1, 26))
    listener.flush()
    assert listener.unkept() is None
    with first.database.transaction() as tx:  # its server stalled past the lease
        tx("UPDATE rnn_servers SET heartbeat = heartbeat - ?", (STALE_S + 1.0,))
    second.interrupt_stale(STALE_S, "stopped")
    second.claim(run.id)
    listener.rows(rows(26, 31))
    listener.flush()
    assert listener.lost
    assert listener.unkept() == lost_sentence(25)
    assert lost_sentence(25) == (
        "Another server took this run over at step 25: what this page trains now is not kept; "
        "open the run on Runs to see it."
    )
    listener.rows(rows(31, 41))
    listener.checkpoint(FakeState(40, {}))
    listener.flush()
    np.testing.assert_array_equal(second.history(run.id).to_numpy(), rows(1, 26))
    assert second.get(run.id).checkpoint_step is None
    listener.close()
    first.close()
    second.close()


@pytest.mark.slow
def test_a_live_run_keeps_at_most_its_bound_of_rows_however_often_resumed(store_location):
    store = open_store(store_location)
    run = new_run(store, state="training")
    listener = StoreListener(store, run.id, encode=encode)
    listener.max_rows = 30  # the bound (MAX_HISTORY_ROWS), small for the test
    listener.rows(rows(1, 21))
    listener.flush()
    resumed = StoreListener(store, run.id, encode=encode)  # a later start of the same run
    resumed.max_rows = 30
    resumed.rows(rows(16, 26))  # from a save at step 15: steps 16..20 are replaced, not added
    resumed.flush()
    assert resumed.unkept() is None and not resumed.full
    resumed.rows(rows(26, 41))
    resumed.checkpoint(FakeState(30, {}))  # a save within the kept rows is still written
    resumed.flush()
    assert resumed.full and resumed.unkept() == full_sentence(30, 30)
    np.testing.assert_array_equal(store.history(run.id).to_numpy(), rows(1, 31))
    resumed.rows(rows(41, 51))
    resumed.checkpoint(FakeState(50, {}))  # past them: neither rows nor saves
    resumed.state_changed("finished", "Finished.")
    resumed.flush()
    assert len(store.history(run.id)) == 30
    record = store.get(run.id)
    assert (record.steps, record.checkpoint_step, record.state) == (30, 30, "finished")
    resumed.close()
    listener.close()
    store.close()


def test_the_full_sentence_names_the_bound_and_what_to_do():
    assert full_sentence(100_000) == (
        "This run's history holds 100,000 rows, the most one run keeps: the steps after step "
        "100,000 are not kept. Rewind (or change the model or the seed) to start a new run."
    )
