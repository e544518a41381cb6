"""A run's zip from outside: every crafted summary, setting, history and training state is refused
with a sentence before a row is stored; rows, names and steps have bounds; the quota counts what
an import, a Start or a sweep would add."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict

import pytest
import torch

from rnn_core.bounds import MAX_HISTORY_ROWS, MAX_RUN_NAME
from rnn_core.datasets.prepare import prepare_series
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.models import ModelConfig, build_model
from rnn_core.runs import open_store
from rnn_core.runs.archive import ArchiveError, import_zip, read_run, run_zip
from rnn_core.runs.compare import run_settings
from rnn_core.runs.quota import Quota, quota_problem
from rnn_core.runs.store import Usage
from rnn_core.training.state import state_from_bytes, state_to_bytes
from rnn_core.training.trainer import TrainConfig, Trainer

LINK = {"seed": 0}
CONFIG = ModelConfig(input_size=1, output_size=1, hidden_size=4)
TRAINING = TrainConfig(max_steps=6, eval_every=3, batch_size=8, schedule="step")
HEADER = "step,loss,val_loss,grad_norm,lr,seconds\n"


def trained_state(config: ModelConfig = CONFIG, training: TrainConfig = TRAINING) -> bytes:
    """A real training state: a few steps on sine waves."""
    data = prepare_series(make_sine(SineConfig(num_series=4, length=120)), 10)
    trainer = Trainer(build_model(config, seed=0), data, training)
    trainer.begin()
    trainer.run()
    return state_to_bytes(trainer.training_state(0))


def stored_real_run(store, owner="alice", name="LSTM 4 · seed 0"):
    """A run as the Train page keeps one: real settings, history and training state."""
    state = trained_state()
    record = store.create_run(
        owner,
        name=name,
        source="Sine waves",
        cell="LSTM",
        parameters=100,
        seed=0,
        settings=run_settings(LINK, asdict(CONFIG), asdict(TRAINING), 0),
        sweep="s1",
    )
    history = state_from_bytes(state).history
    store.append_rows(record.id, history)
    store.save_state(record.id, int(history[-1, 0]), state)
    store.set_state(record.id, "finished", "done")
    return store.get(record.id)


@pytest.fixture
def store(tmp_path):
    opened = open_store(str(tmp_path / "runs"))
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def real_zip(tmp_path_factory):
    """A real run's zip (made once: training takes a moment)."""
    store = open_store(str(tmp_path_factory.mktemp("real") / "runs"))
    data = run_zip(store, stored_real_run(store))
    store.close()
    return data


def parts(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_summary(data: bytes, **changes) -> bytes:
    members = parts(data)
    summary = json.loads(members["settings.json"])
    for key, value in changes.items():
        if key.startswith("settings_"):
            summary["settings"][key.removeprefix("settings_")] = value
        else:
            summary[key] = value
    return zipped({**members, "settings.json": json.dumps(summary).encode()})


def with_state(data: bytes, edit) -> bytes:
    members = parts(data)
    raw = torch.load(io.BytesIO(members["model.pt"]), weights_only=True)
    edit(raw)
    buffer = io.BytesIO()
    torch.save(raw, buffer)
    return zipped({**members, "model.pt": buffer.getvalue()})


def refused(store, data: bytes, said: str) -> None:
    with pytest.raises(ArchiveError, match=said) as caught:
        import_zip(store, "bob", data)
    assert store.runs("bob") == []
    assert len(str(caught.value)) < 600  # a sentence, never the file's content echoed whole
    assert str(caught.value).startswith("This file is not a run")


def test_a_real_run_imports_and_its_state_fits_its_settings(store, real_zip):
    record = import_zip(store, "bob", real_zip)
    assert record.owner == "bob" and record.state == "finished" and record.sweep == "s1"
    state = state_from_bytes(store.state_bytes(record.id))
    assert state.model_config == CONFIG and state.steps_done == record.steps == 6


@pytest.mark.parametrize(
    "changes, said",
    [
        ({"parameters": 10**30}, "number of parameters must be a whole number"),
        ({"parameters": 1.5}, "number of parameters must be a whole number"),
        ({"seed": -1}, "seed must be a whole number"),
        ({"sweep": {"a": 1}}, "sweep must be a text"),
        ({"settings": [1, 2]}, "settings must be a table"),
        ({"state": "exploded"}, "state must be one of"),
        ({"name": "x" * 1_000_000}, f"name must be a text of at most {MAX_RUN_NAME}"),
        ({"name": "   "}, "name is blank"),
        ({"settings_link": "hidden=32"}, "link's settings must be a table"),
        ({"settings_model": {**asdict(CONFIG), "hidden_size": 10**6}}, "hidden_size must be"),
        ({"settings_model": {**asdict(CONFIG), "wings": 2}}, "model's settings are invalid"),
        ({"settings_training": {**asdict(TRAINING), "batch_size": "a"}}, "training's settings"),
        ({"settings_seed": 2**70}, "settings' seed must be a whole number"),
    ],
)
def test_a_crafted_summary_is_refused_with_a_sentence(store, real_zip, changes, said):
    refused(store, with_summary(real_zip, **changes), said)


def test_settings_with_too_many_values_are_refused_after_a_bounded_walk(store, real_zip):
    refused(store, with_summary(real_zip, settings_link={"k": [[[]]] * 20_000}), "more than")


@pytest.mark.parametrize(
    "rows, said",
    [
        ("-5,1,,1,1,1\n", "from 0 to"),
        ("1e19,1,,1,1,1\n", "from 0 to"),
        ("1.5,1,,1,1,1\n2.5,1,,1,1,1\n", "not fractions"),
        ("2,1,,1,1,1\n1,1,,1,1,1\n", "increase"),
        ("nan,1,,1,1,1\n", "from 0 to"),
        ("1,a,,1,1,1\n", "text where numbers belong"),
    ],
)
def test_steps_must_be_whole_increasing_and_bounded(store, real_zip, rows, said):
    members = parts(real_zip)
    del members["model.pt"]
    refused(store, zipped({**members, "history.csv": (HEADER + rows).encode()}), said)


def test_rows_past_the_bound_are_refused_before_they_are_stored(store, real_zip):
    members = parts(real_zip)
    del members["model.pt"]
    rows = "".join(f"{step},1,,1,1,1\n" for step in range(MAX_HISTORY_ROWS + 1))
    refused(store, zipped({**members, "history.csv": (HEADER + rows).encode()}), "more than")


@pytest.mark.parametrize(
    "edit, said",
    [
        (lambda raw: raw["weights"].update(fc=torch.zeros(3)), "do not have the shapes"),
        (
            lambda raw: raw["weights"].update({"head.weight": torch.zeros(5, 4)}),
            "do not have the shapes",
        ),
        (lambda raw: raw.update(weights="w"), "not a set of tensors"),
        (lambda raw: raw.update(model_config={**asdict(CONFIG), "hidden_size": 8}), "another"),
        (lambda raw: raw.update(steps_done=-1), "steps in its model.pt"),
        (lambda raw: raw.update(history=torch.zeros(3, 2, dtype=torch.float64)), "6 columns"),
        (lambda raw: raw.update(history=[1, 2]), "not a table of numbers"),
        (lambda raw: raw.update(batch_rng=torch.zeros(3)), "generator's state"),
        (lambda raw: raw.update(status="hacked"), "status in its model.pt"),
        (lambda raw: raw["optimizer"]["state"][0].update(exp_avg=torch.zeros(2)), "moments"),
        (lambda raw: raw["optimizer"]["state"].update({99: {}}), "parameter the model lacks"),
        (lambda raw: raw["optimizer"]["param_groups"][0].update(betas="x"), "optimizer"),
        (lambda raw: raw["scheduler"].update(gamma="fast"), "schedule"),
        (lambda raw: raw.update(format="other"), "not a training state of this version"),
    ],
)
def test_a_crafted_training_state_is_refused_at_import(store, real_zip, edit, said):
    refused(store, with_state(real_zip, edit), said)


def test_a_model_file_that_is_not_a_training_state_is_refused(store, real_zip):
    refused(store, zipped({**parts(real_zip), "model.pt": b"\x00" * 100}), "not a saved model")
    flipped = bytearray(real_zip)
    flipped[len(flipped) // 2] ^= 0xFF  # one flipped byte inside a compressed member
    with pytest.raises(ArchiveError, match="This file is not a run"):
        import_zip(store, "bob", bytes(flipped))
    assert store.runs("bob") == []


def test_a_large_history_file_is_refused_before_it_is_parsed(store, real_zip):
    members = parts(real_zip)
    huge = HEADER + "1,1,,1,1,1\n" * 2_000_000  # about 22 MB of CSV, compresses to little
    refused(store, zipped({**members, "history.csv": huge.encode()}), "larger than")


def test_an_import_counts_its_run_and_its_megabytes(real_zip):
    run = read_run(real_zip)
    assert run.usage.runs == 1 and run.usage.megabytes > 0
    assert quota_problem(Usage(199, 0.0), Quota(200, 500.0), [], run.usage) is None
    assert "delete at least 1 run" in quota_problem(Usage(200, 0.0), Quota(200, 500.0), [])
    full = quota_problem(Usage(10, 499.99), Quota(200, 500.0), [], Usage(1, 0.5))
    assert full is not None and "MB" in full


def test_a_sweep_is_checked_against_usage_plus_its_runs():
    said = quota_problem(Usage(199, 1.0), Quota(200, 500.0), [], Usage(200, 0.0))
    assert said is not None
    assert "would add 200 runs to your 199" in said and "delete at least 199 runs" in said
    assert quota_problem(Usage(0, 1.0), Quota(200, 500.0), [], Usage(200, 0.0)) is None
