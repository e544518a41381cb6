"""A run's data kept with it, on SQLite and on a real PostgreSQL: each file once by its SHA-256,
counted once in its owner's usage, read back whole or refused with a sentence, and freed with the
last run that uses it."""

from __future__ import annotations

import hashlib
import json

import pytest

from rnn_core.runs import open_store
from rnn_core.runs.blobs import DATA_FOLDER, DataGone, RunData, blob_path, digest_of
from rnn_core.runs.store import ROW_BYTES
from tests.core.test_run_store import new_run

WALK = b"t,ax,ay,az\n" + b"".join(b"%d,0.1,0.2,9.8\n" % i for i in range(2000))
OTHER = b"t,gx,gy,gz\n0,1,2,3\n1,1,2,3\n"
UPLOAD = RunData("imu-upload", "walk.csv", (("walk.csv", WALK),))


@pytest.fixture
def store(store_location):
    opened = open_store(store_location)
    yield opened
    opened.close()


def kept_files(store) -> list[str]:
    folder = store.files_root / DATA_FOLDER
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def test_two_runs_of_one_upload_keep_one_file_counted_once(store):
    first, second = new_run(store), new_run(store)
    store.keep_data(first.id, UPLOAD)
    store.keep_data(second.id, UPLOAD)
    digest = hashlib.sha256(WALK).hexdigest()
    assert kept_files(store) == [digest]
    assert store.database.query("SELECT digest, bytes FROM rnn_data") == [(digest, len(WALK))]
    assert store.run_data(first.id) == store.run_data(second.id) == [("walk.csv", WALK)]
    assert store.data_bytes("alice") == len(WALK)
    assert store.usage("alice").megabytes == pytest.approx(len(WALK) / 1e6)
    assert store.usage("alice").runs == 2


def test_the_file_stays_until_the_last_run_that_uses_it_is_deleted(store):
    first, second = new_run(store), new_run(store)
    for run in (first, second):
        store.keep_data(run.id, UPLOAD)
    store.delete("alice", first.id)
    assert store.run_data(second.id) == [("walk.csv", WALK)]
    assert kept_files(store) == [digest_of(WALK)]
    assert store.data_bytes("alice") == len(WALK)
    store.delete("alice", second.id)
    assert kept_files(store) == []
    assert store.database.query("SELECT * FROM rnn_data") == []
    assert store.database.query("SELECT * FROM rnn_run_data") == []
    assert store.usage("alice").megabytes == 0.0


def test_each_owner_counts_a_file_their_runs_use_once(store):
    mine, theirs = new_run(store), new_run(store, owner="bob")
    store.keep_data(mine.id, UPLOAD)
    store.keep_data(theirs.id, UPLOAD)
    assert store.data_bytes("alice") == store.data_bytes("bob") == len(WALK)
    store.delete("alice", mine.id)
    assert store.data_bytes("alice") == 0
    assert store.run_data(theirs.id) == [("walk.csv", WALK)]  # bob's run still has it


def test_usage_adds_the_data_to_weights_and_history(store):
    run = new_run(store)
    store.keep_data(run.id, RunData("text", "Pasted text", (("Pasted text", OTHER),)))
    store.claim(run.id)
    store.save_state(run.id, 3, b"x" * 1000)
    store.truncate_history(run.id, 3)
    expected = (1000 + ROW_BYTES * 3 + len(OTHER)) / 1e6
    assert store.usage("alice").megabytes == pytest.approx(expected)


def test_the_settings_say_what_the_run_trained_on(store):
    run = new_run(store)
    entry = store.keep_data(run.id, UPLOAD)
    settings = store.get(run.id).settings
    assert settings["data"] == entry
    assert entry == {
        "kind": "imu-upload",
        "name": "walk.csv",
        "digest": digest_of(WALK),
        "files": [{"name": "walk.csv", "digest": digest_of(WALK)}],
    }
    assert {k: settings[k] for k in ("cell", "seed", "hidden")} == {
        "cell": "LSTM",
        "seed": 0,
        "hidden": 32,
    }  # what was there stays


def test_a_set_keeps_its_files_in_order_and_a_file_twice_in_it_once(store):
    run = new_run(store)
    files = (("b.csv", OTHER), ("a.csv", WALK), ("c.csv", OTHER))
    roles = ("roles", ["train", "validation", "test"])
    entry = store.keep_data(run.id, RunData("imu-set", "IMU set: 3 recordings", files, (roles,)))
    assert store.run_data(run.id) == list(files)
    assert kept_files(store) == sorted({digest_of(OTHER), digest_of(WALK)})
    assert [f["name"] for f in entry["files"]] == ["b.csv", "a.csv", "c.csv"]
    assert entry["roles"] == ["train", "validation", "test"] and "digest" not in entry
    assert store.data_bytes("alice") == len(WALK) + len(OTHER)


def test_a_run_without_kept_data_has_none(store):
    assert store.run_data(new_run(store).id) == []


def test_a_digest_written_into_settings_opens_nothing(store):
    """An imported run's settings may name any digest: only what the store kept for that run
    gives bytes."""
    store.keep_data(new_run(store).id, UPLOAD)
    forged = {"data": {"kind": "imu-upload", "name": "x", "digest": digest_of(WALK)}}
    intruder = new_run(store, owner="mallory", settings=forged)
    assert store.run_data(intruder.id) == []


@pytest.mark.parametrize("damage", ["missing", "damaged"])
def test_a_kept_file_gone_or_changed_is_said(store, damage):
    run = new_run(store)
    store.keep_data(run.id, UPLOAD)
    path = blob_path(store.files_root, digest_of(WALK))
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(WALK[:-1] + b"7")
    with pytest.raises(DataGone, match=f"the kept copy of walk.csv is {damage}"):
        store.run_data(run.id)


def test_keeping_again_writes_a_whole_copy_over_a_damaged_one(store):
    first, second = new_run(store), new_run(store)
    store.keep_data(first.id, UPLOAD)
    blob_path(store.files_root, digest_of(WALK)).write_bytes(WALK[:-1] + b"7")
    store.keep_data(second.id, UPLOAD)
    assert store.run_data(first.id) == [("walk.csv", WALK)]


def test_only_a_digest_names_a_kept_file(tmp_path):
    with pytest.raises(ValueError):
        blob_path(tmp_path, "../" + "a" * 61)
    assert blob_path(tmp_path, "a" * 64) == tmp_path / DATA_FOLDER / ("a" * 64)


def test_a_deleted_run_of_another_owner_frees_nothing_of_mine(store):
    mine = new_run(store)
    store.keep_data(mine.id, UPLOAD)
    store.delete("bob", mine.id)  # not bob's: nothing happens
    assert store.run_data(mine.id) == [("walk.csv", WALK)]
    assert json.loads(store.database.query("SELECT settings FROM rnn_runs")[0][0])["data"]


def test_what_an_owner_keeps_already_is_known_by_digest(store):
    store.keep_data(new_run(store).id, UPLOAD)
    store.keep_data(new_run(store, owner="bob").id, RunData("text", "t", (("t", OTHER),)))
    asked = [digest_of(WALK), digest_of(OTHER), digest_of(b"never kept")]
    assert store.kept_for("alice", asked) == {digest_of(WALK)}
    assert store.kept_for("bob", asked) == {digest_of(OTHER)}
    assert store.kept_for("alice", []) == set()
