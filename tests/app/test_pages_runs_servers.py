"""The Runs page under AppTest, with a second server on the same store: a run it trains is listed
as training there, with the sentence, and cannot be opened, resumed or deleted here."""

from __future__ import annotations

import socket

from rnn_core.runs import open_store, store_location
from tests.app.conftest import no_problems
from tests.app.test_pages_runs import OWNER, runs_page
from tests.core.test_run_store import rows, state_bytes


def test_a_run_training_on_another_server_is_refused_with_a_sentence():
    other = open_store(store_location())  # another server process, as the store sees it
    record = other.create_run(
        OWNER,
        name="elsewhere",
        source="Sine waves",
        cell="GRU",
        parameters=1,
        seed=0,
        settings={},
        state="training",
    )
    other.append_rows(record.id, rows(1, 11))
    other.save_state(record.id, 10, state_bytes(10))
    try:
        at = runs_page()
        at.multiselect(key="runs.compare").set_value([record.id]).run()
        no_problems(at)
        said = [c.value for c in at.caption if "another server" in c.value]
        where = f"{socket.gethostname()}, process"
        assert said and all(where in s and "open it there or wait for it to end" in s for s in said)
        assert at.button(key="runs.resume").disabled and at.button(key="runs.open").disabled
        assert not [b for b in at.button if b.key == "runs.delete"]
        assert other.get(record.id).state == "training"  # this server left it alone
    finally:
        other.set_state(record.id, "stopped")
        other.close()
