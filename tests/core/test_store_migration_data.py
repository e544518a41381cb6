"""A store written before runs kept their data (format version 2) opens with nothing lost, on
SQLite and on PostgreSQL: its runs, history, weights, share links and leases are kept, it gains
the data tables, and its runs then keep data like new ones."""

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
from rnn_core.runs.blobs import RunData
from rnn_core.runs.database import VERSION
from rnn_core.runs.leases import STALE_S
from tests.core.test_run_store import new_run, rows
from tests.core.test_store_migration import STOPPED, TOKEN, V1_SCHEMA, connect

STORE_V2 = Path(__file__).parent / "data" / "store-v2"  # written by the version-2 code itself
# The tables as version 2 made them (rnn_core/runs/database.py before rnn_data), word for word
V2_SCHEMA = (
    *V1_SCHEMA[:1],
    V1_SCHEMA[1].replace("file_bytes BIGINT NOT NULL)", "file_bytes BIGINT NOT NULL, server TEXT)"),
    *V1_SCHEMA[2:],
    """CREATE TABLE IF NOT EXISTS rnn_servers (
        id TEXT PRIMARY KEY, host TEXT NOT NULL, pid BIGINT NOT NULL, label TEXT NOT NULL,
        started DOUBLE PRECISION NOT NULL, heartbeat DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rnn_revoked_shares (
        run_id TEXT NOT NULL, token_hash TEXT NOT NULL, revoked DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (run_id, token_hash))""",
)
UPLOAD = RunData("imu-upload", "walk.csv", (("walk.csv", b"t,ax\n0,1\n1,2\n"),))


def make_v2_store(location):
    """A version-2 store: a finished shared run, a revoked token, a server's lease."""
    connection, mark = connect(location)
    cursor = connection.cursor()
    for statement in V2_SCHEMA:
        cursor.execute(statement)
    insert = f"INSERT INTO rnn_store_info VALUES ({mark}, {mark})"
    cursor.executemany(insert, [("format", "rnn-explorer-runs"), ("version", "2")])
    old = time.time() - 3600.0
    settings = '{"link": {"imu.choice": ["Upload a CSV or zip"]}, "seed": 0}'
    values = ("a" * 32, "alice", "run a", "IMU: walk.csv", "LSTM", 10, 0, settings, "finished")
    values += ("", old, old, 20, 0.05, None, TOKEN, None, 0, None)
    cursor.execute(f"INSERT INTO rnn_runs VALUES ({', '.join([mark] * 19)})", values)
    history = [
        (values[0], int(r[0]), *(None if np.isnan(v) else float(v) for v in r[1:]))
        for r in rows(1, 21)
    ]
    cursor.executemany(f"INSERT INTO rnn_history VALUES ({', '.join([mark] * 7)})", history)
    cursor.execute(
        f"INSERT INTO rnn_revoked_shares VALUES ({mark}, {mark}, {mark})", ("a" * 32, "h", old)
    )
    cursor.execute(
        f"INSERT INTO rnn_servers VALUES ({', '.join([mark] * 6)})",
        ("s" * 32, "elsewhere/boot", 1, "elsewhere, process 1", old, old),
    )
    connection.commit()
    connection.close()


def test_a_version_2_store_opens_with_its_runs_and_gains_kept_data(store_location):
    make_v2_store(store_location)
    store = open_store(store_location)
    info = dict(store.database.query("SELECT key, value FROM rnn_store_info"))
    assert info == {"format": "rnn-explorer-runs", "version": VERSION} and VERSION == "3"
    run = store.get("a" * 32)
    assert (run.name, run.state, run.steps, run.best_val) == ("run a", "finished", 20, 0.05)
    assert run.settings == {"link": {"imu.choice": ["Upload a CSV or zip"]}, "seed": 0}
    np.testing.assert_array_equal(store.history(run.id).to_numpy(), rows(1, 21))
    assert store.shared(run.id, TOKEN).id == run.id
    assert store.database.query("SELECT COUNT(*) FROM rnn_servers") == [(1,)]
    assert store.run_data(run.id) == []  # trained before data was kept: Open asks for the file
    assert store.usage("alice").runs == 1
    store.keep_data(run.id, UPLOAD)  # the new tables work on the migrated store
    newer = new_run(store)
    store.keep_data(newer.id, UPLOAD)
    assert store.run_data(run.id) == list(UPLOAD.files)
    store.close()
    again = open_store(store_location)  # opened again: nothing migrated twice, nothing lost
    assert {r.id for r in again.runs("alice")} == {run.id, newer.id}
    assert again.get(run.id).settings["data"]["name"] == "walk.csv"
    again.delete("alice", run.id)
    again.delete("alice", newer.id)
    assert again.database.query("SELECT COUNT(*) FROM rnn_data") == [(0,)]
    again.close()


def test_the_store_the_version_2_code_wrote_opens_with_everything(tmp_path):
    location = tmp_path / "store"
    shutil.copytree(STORE_V2, location)
    store = open_store(str(location))
    finished, left = store.get("a" * 32), store.get("b" * 32)
    assert (finished.state, finished.steps, finished.checkpoint_step) == ("finished", 20, 20)
    assert finished.message == "Finished after 20 steps." and finished.share_token
    assert finished.settings["link"] == {
        "source_kind": ["IMU"],
        "imu.choice": ["Upload a CSV or zip"],
    }
    assert store.shared(finished.id, finished.share_token).id == finished.id
    assert len(store.history(finished.id)) == 20 and len(store.history(left.id)) == 30
    saved = torch.load(io.BytesIO(store.state_bytes(left.id)), weights_only=True)
    assert saved["step"] == 25 and [step for step, _ in store.snapshots(left.id)] == [25]
    assert left.state == "training"  # its server was killed: its lease is in the store
    assert store.interrupt_stale(STALE_S, STOPPED) == 1
    assert store.get(left.id).state == "interrupted"
    store.claim(left.id)
    store.truncate_history(left.id, 25)
    store.keep_data(finished.id, UPLOAD)
    assert store.run_data(finished.id) == list(UPLOAD.files)
    store.close()


def test_a_newer_store_with_tables_of_its_own_is_named_as_another_version(tmp_path):
    location = tmp_path / "store"
    shutil.copytree(STORE_V2, location)
    open_store(str(location)).close()  # now version 3
    with sqlite3.connect(location / "runs.sqlite3") as connection:
        connection.execute("CREATE TABLE rnn_future (x TEXT)")
        connection.execute("UPDATE rnn_store_info SET value = '4' WHERE key = 'version'")
    connection.close()
    with pytest.raises(StoreError, match="another version of RNN Explorer"):
        open_store(str(location))
