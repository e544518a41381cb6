"""A store that cannot be used gets a sentence and is never written to; a killed writer leaves a
readable store."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import psycopg
import pytest

from rnn_core.runs import StoreError, open_store
from rnn_core.runs.location import DATABASE_FILE, shown
from tests.paths import ROOT


def refused(location) -> str:
    with pytest.raises(StoreError) as error:
        open_store(location)
    message = str(error.value)
    assert "Traceback" not in message and message.endswith(".")
    return message


@pytest.mark.parametrize(
    "content",
    [b"hello, these are my notes\n", b"\x00" * 4096, b"SQLite format 3\x00" + b"\xff" * 200],
    ids=["text", "zeros", "damaged-sqlite"],
)
def test_a_file_that_is_not_a_store_is_left_alone(tmp_path, content):
    path = tmp_path / DATABASE_FILE
    path.write_bytes(content)
    message = refused(str(tmp_path))
    assert "left as it is" in message and "RNN_EXPLORER_STORE" in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [DATABASE_FILE]


def test_another_programs_database_is_left_alone(tmp_path):
    path = tmp_path / DATABASE_FILE
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    before = path.read_bytes()
    assert "did not make" in refused(str(tmp_path))
    assert path.read_bytes() == before


def test_a_file_where_the_folder_should_be(tmp_path):
    path = tmp_path / "runs"
    path.write_text("not a folder")
    assert "is a file, not a folder" in refused(str(path))
    assert path.read_text() == "not a folder"


def test_a_postgres_database_with_a_foreign_runs_table(postgres_server):
    from tests.postgres import fresh_database

    url = fresh_database(postgres_server, "foreign_runs")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE rnn_runs (anything TEXT)")
    assert "did not make" in refused(url)


def test_an_unreachable_postgres_says_what_to_check():
    url = "postgresql://someone:secret@127.0.0.1:1/runs"
    message = refused(url)
    assert "secret" not in message and shown(url) in message and "running" in message


WRITER = """
import sys, numpy as np
from rnn_core.runs import open_store
store = open_store(sys.argv[1])
run = store.create_run(
    "alice", name="n", source="s", cell="LSTM", parameters=1, seed=0, settings={}
)
print(run.id, flush=True)
step = 1
while True:
    rows = np.array([[step + i, 1.0, 0.5, 1.0, 1e-3, 0.0] for i in range(50)])
    store.append_rows(run.id, rows)
    store.save_state(run.id, step, b"x" * 100_000)
    step += 50
"""


def test_killing_the_writer_at_any_moment_leaves_a_readable_store(store_location):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, store_location], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    run_id = writer.stdout.readline().strip()
    store = open_store(store_location)
    while store.get(run_id).steps < 500:  # let it write a while, then kill it mid-write
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    store.close()
    store = open_store(store_location)
    frame = store.history(run_id)
    assert len(frame) >= 500 and len(frame) % 50 == 0  # whole transactions only
    assert frame["step"].tolist() == list(range(1, len(frame) + 1))
    assert store.state_bytes(run_id) == b"x" * 100_000
    store.close()
