"""A store written before leases (format version 1) opens with nothing lost, on SQLite and on
PostgreSQL: its runs, history, weights and share links are kept, it gains the lease tables,
and a run it left active is interrupted as before."""

from __future__ import annotations

import io
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from rnn_core.runs import StoreError, open_store
from rnn_core.runs.database import VERSION
from rnn_core.runs.leases import STALE_S
from rnn_core.runs.location import is_postgres
from tests.core.test_run_store import rows

STORE_V1 = Path(__file__).parent / "data" / "store-v1"  # written by the version-1 code itself
STOPPED = "The server stopped while this run was training."
# The tables as version 1 made them (rnn_core/runs/database.py before leases), word for word
V1_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS rnn_store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS rnn_runs (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL,
        cell TEXT NOT NULL, parameters BIGINT NOT NULL, seed BIGINT NOT NULL,
        settings TEXT NOT NULL, state TEXT NOT NULL, message TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL,
        steps BIGINT NOT NULL, best_val DOUBLE PRECISION, sweep TEXT, share_token TEXT,
        checkpoint_step BIGINT, file_bytes BIGINT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS rnn_runs_owner ON rnn_runs (owner)",
    """CREATE TABLE IF NOT EXISTS rnn_history (
        run_id TEXT NOT NULL, step BIGINT NOT NULL, loss DOUBLE PRECISION,
        val_loss DOUBLE PRECISION, grad_norm DOUBLE PRECISION, lr DOUBLE PRECISION,
        seconds DOUBLE PRECISION, PRIMARY KEY (run_id, step))""",
    """CREATE TABLE IF NOT EXISTS rnn_snapshots (
        run_id TEXT NOT NULL, step BIGINT NOT NULL, file TEXT NOT NULL, bytes BIGINT NOT NULL,
        PRIMARY KEY (run_id, step))""",
)
TOKEN = "t" * 24


def connect(location):
    """A plain connection to the location's database and its placeholder."""
    if is_postgres(location):
        import psycopg

        return psycopg.connect(location), "%s"
    Path(location).mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(Path(location) / "runs.sqlite3"), "?"


def make_v1_store(location):
    """A version-1 store: a finished shared run and a run left training an hour ago."""
    connection, mark = connect(location)
    cursor = connection.cursor()
    for statement in V1_SCHEMA:
        cursor.execute(statement)
    insert = f"INSERT INTO rnn_store_info VALUES ({mark}, {mark})"
    cursor.executemany(insert, [("format", "rnn-explorer-runs"), ("version", "1")])
    old = time.time() - 3600.0
    runs = (("a" * 32, "finished", TOKEN, 20), ("b" * 32, "training", None, 10))
    for run_id, state, token, steps in runs:
        values = (run_id, "alice", f"run {run_id[0]}", "Sine waves", "LSTM", 10, 0, "{}", state)
        values += ("", old, old, steps, None, None, token, None, 0)
        cursor.execute(f"INSERT INTO rnn_runs VALUES ({', '.join([mark] * 18)})", values)
        history = [
            (run_id, int(r[0]), *(None if np.isnan(v) else float(v) for v in r[1:]))
            for r in rows(1, steps + 1)
        ]
        cursor.executemany(f"INSERT INTO rnn_history VALUES ({', '.join([mark] * 7)})", history)
    connection.commit()
    connection.close()


def test_a_version_1_store_opens_with_its_runs_and_gains_leases(store_location):
    make_v1_store(store_location)
    store = open_store(store_location)
    info = dict(store.database.query("SELECT key, value FROM rnn_store_info"))
    assert info == {"format": "rnn-explorer-runs", "version": VERSION}
    finished, live = store.get("a" * 32), store.get("b" * 32)
    assert (finished.name, finished.state, finished.steps) == ("run a", "finished", 20)
    assert finished.server is None  # no server trains it
    np.testing.assert_array_equal(store.history(finished.id).to_numpy(), rows(1, 21))
    assert store.shared(finished.id, TOKEN).id == finished.id  # its share link still opens it
    assert live.state == "training"
    assert store.interrupt_stale(STALE_S, STOPPED) == 1  # untouched for an hour: interrupted
    assert store.get(live.id).state == "interrupted"
    store.claim(live.id)  # resumable on this version
    store.append_rows(live.id, rows(11, 13))
    assert len(store.history(live.id)) == 12
    store.close()
    again = open_store(store_location)  # opened again: nothing migrated twice, nothing lost
    assert {r.id for r in again.runs("alice")} == {finished.id, live.id}
    assert again.get(live.id).steps == 12
    again.close()


def test_the_store_the_version_1_code_wrote_opens_with_everything(tmp_path):
    location = tmp_path / "store"
    shutil.copytree(STORE_V1, location)
    store = open_store(str(location))
    finished, left = store.get("a" * 32), store.get("b" * 32)
    assert (finished.state, finished.steps, finished.checkpoint_step) == ("finished", 20, 20)
    assert finished.message == "Finished after 20 steps." and finished.share_token
    assert store.shared(finished.id, finished.share_token).id == finished.id
    assert len(store.history(finished.id)) == 20 and len(store.history(left.id)) == 30
    saved = torch.load(io.BytesIO(store.state_bytes(left.id)), weights_only=True)
    assert saved["step"] == 25 and [step for step, _ in store.snapshots(left.id)] == [25]
    assert left.state == "training"
    assert store.interrupt_stale(STALE_S, STOPPED) == 1
    assert store.get(left.id).state == "interrupted"
    store.claim(left.id)
    store.truncate_history(left.id, 25)  # what Resume does: on from its last save
    assert store.get(left.id).steps == 25
    store.close()


@pytest.mark.parametrize("version", [str(int(VERSION) + 1), "0"])
def test_a_store_of_an_unknown_version_is_still_refused(tmp_path, version):
    location = tmp_path / "store"
    shutil.copytree(STORE_V1, location)
    with sqlite3.connect(location / "runs.sqlite3") as connection:
        connection.execute("UPDATE rnn_store_info SET value = ? WHERE key = 'version'", (version,))
    connection.close()
    with pytest.raises(StoreError, match="another version"):
        open_store(str(location))
