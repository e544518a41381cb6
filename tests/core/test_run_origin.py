"""A run's origin and device in its settings: one per kind (train, compare, sweep with its group,
import), kept by the listener that makes its record; an import keeps what it was; a continued
run's new training knobs replace only those of its settings."""

from __future__ import annotations

import pytest

from rnn_core.live.spec import RunSpec
from rnn_core.models import ModelConfig
from rnn_core.runs import open_store
from rnn_core.runs.archive import imported_settings
from rnn_core.runs.compare import ORIGINS, origin_setting, run_settings
from rnn_core.runs.live import store_listener
from rnn_core.training.trainer import TrainConfig


@pytest.fixture
def store(tmp_path):
    opened = open_store(str(tmp_path / "runs"))
    yield opened
    opened.close()


def test_an_origin_is_one_of_the_kinds_with_its_group():
    assert ORIGINS == ("train", "compare", "sweep", "import")
    assert origin_setting("sweep", "sweep-1") == {"kind": "sweep", "group": "sweep-1"}
    assert origin_setting("train") == {"kind": "train", "group": None}
    with pytest.raises(ValueError, match="not one of"):
        origin_setting("notebook")


def test_settings_without_an_origin_are_as_before():
    assert run_settings({"seed": ["1"]}, {}, {}, 1) == {
        "link": {"seed": ["1"]},
        "model": {},
        "training": {},
        "seed": 1,
    }


@pytest.mark.parametrize(
    ("kind", "group"), [("train", None), ("compare", "compare-ab"), ("sweep", "sweep-cd")]
)
def test_each_kind_is_kept_with_its_group_and_device(store, small_sine_data, kind, group):
    config = ModelConfig(cell="gru", hidden_size=4)
    spec = RunSpec(small_sine_data, config, TrainConfig(max_steps=3), seed=2)
    listener = store_listener(store, "ann", spec, "Sine waves", {"seed": ["2"]}, group, kind)
    listener.create()
    (record,) = store.runs("ann")
    assert record.settings["origin"] == {"kind": kind, "group": group}
    assert record.settings["device"] == "cpu" and record.sweep == group
    assert record.settings["model"]["cell"] == "gru" and record.settings["seed"] == 2


def test_an_import_is_marked_and_keeps_what_it_was():
    made = run_settings({}, {}, {}, 0, origin_setting("sweep", "sweep-1"), "cpu")
    assert imported_settings(made)["origin"] == {"kind": "import", "group": None, "was": "sweep"}
    assert imported_settings(made)["device"] == "cpu"
    old = run_settings({}, {}, {}, 0)  # made before origins
    assert imported_settings(old) == {**old, "origin": {"kind": "import", "group": None}}
    odd = {**old, "origin": {"kind": "<b>x</b>"}}  # not a kind of this app: not kept
    assert imported_settings(odd)["origin"] == {"kind": "import", "group": None}


def test_new_training_knobs_replace_only_those_settings(store):
    settings = run_settings(
        {"lr": ["0.01"]}, {"cell": "gru"}, {"lr": 0.01}, 0, origin_setting("train")
    )
    record = store.create_run(
        "ann", name="r", source="s", cell="GRU", parameters=1, seed=0, settings=settings
    )
    store.update_settings(record.id, {"link": {"lr": ["0.05"]}, "training": {"lr": 0.05}})
    assert store.get(record.id).settings == {
        **settings,
        "link": {"lr": ["0.05"]},
        "training": {"lr": 0.05},
    }


def test_the_runs_page_names_every_origin_a_run_can_store():
    from rnn_core.runs.naming import ORIGIN_LABELS

    assert set(ORIGIN_LABELS) == set(ORIGINS)
