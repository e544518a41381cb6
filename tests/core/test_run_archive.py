"""A run's zip round trip, imports that are refused with a sentence, and the quota."""

from __future__ import annotations

import io
import json
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.runs import open_store
from rnn_core.runs.archive import ArchiveError, import_zip, run_zip
from rnn_core.runs.quota import Quota, quota_from_environment, quota_problem
from rnn_core.runs.store import Usage
from tests.core.test_import_bounds import stored_real_run
from tests.core.test_run_store import new_run


@pytest.fixture
def store(tmp_path):
    opened = open_store(str(tmp_path / "runs"))
    yield opened
    opened.close()


@pytest.fixture
def downloaded(store):
    run = stored_real_run(store)  # an import checks the settings and the state against each other
    return run, run_zip(store, store.get(run.id))


def test_an_imported_zip_gives_the_same_run(store, downloaded):
    run, data = downloaded
    imported = import_zip(store, "bob", data)
    assert imported.id != run.id and imported.owner == "bob"
    for field in ("name", "source", "cell", "parameters", "seed", "steps", "sweep"):
        assert getattr(imported, field) == getattr(store.get(run.id), field), field
    # the same settings, its origin now an import (the original has none: made before origins)
    original = store.get(run.id).settings
    assert imported.settings == {**original, "origin": {"kind": "import", "group": None}}
    assert imported.state == "finished" and imported.best_val == store.get(run.id).best_val
    pd.testing.assert_frame_equal(store.history(imported.id), store.history(run.id))
    assert store.state_bytes(imported.id) == store.state_bytes(run.id)


def rezipped(data: bytes, **replaced: bytes | None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            content = replaced.get(name.replace(".", "_"), source.read(name))
            if content is not None:
                target.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "change, said",
    [
        (None, "not a zip file"),
        ({"history_csv": None}, "has no history.csv"),
        ({"settings_json": b"{"}, "is not JSON"),
        ({"settings_json": json.dumps({"name": 3}).encode()}, "lacks source"),
        ({"history_csv": b"a,b\n1,2\n"}, "must have the columns"),
        (
            {"history_csv": b"step,loss,val_loss,grad_norm,lr,seconds\n2,1,,1,1,1\n1,1,,1,1,1\n"},
            "increase",
        ),
        ({"model_pt": pickle.dumps(print)}, "not a saved model"),
    ],
)
def test_a_zip_that_is_not_a_run_is_refused(store, downloaded, change, said):
    data = b"PK not really" if change is None else rezipped(downloaded[1], **change)
    with pytest.raises(ArchiveError, match=said):
        import_zip(store, "bob", data)
    assert store.runs("bob") == []


def test_the_quota_names_what_to_delete(store):
    old, big = new_run(store, name="old one"), new_run(store, name="big one")
    store.save_state(big.id, 1, b"x" * 2_000_000)
    for run in (old, big):
        store.set_state(run.id, "stopped")
    runs = store.runs("alice")
    assert quota_problem(Usage(1, 1.0), Quota(2, 10.0), runs) is None
    by_count = quota_problem(Usage(2, 1.0), Quota(2, 10.0), runs)
    assert "2 runs" in by_count and by_count.index("old one") < by_count.index("big one")
    by_size = quota_problem(store.usage("alice"), Quota(10, 1.5), runs)
    assert "MB" in by_size and by_size.index("big one") < by_size.index("old one")
    assert "Nothing is deleted for you." in by_size


def test_the_quota_setting(monkeypatch):
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_RUNS", "5")
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_MB", "nonsense")
    assert quota_from_environment() == Quota(5, Quota().max_megabytes)


def test_a_state_file_is_a_weights_only_torch_file(store, downloaded):
    run, _ = downloaded
    assert torch.load(io.BytesIO(store.state_bytes(run.id)), weights_only=True)["steps_done"] == 6
    assert np.isfinite(store.history(run.id)["loss"]).all()
