"""Names that tell runs apart: origin and the settings that differ from the siblings; a given name
wins; runs stored before origins were kept get theirs from the record."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import asdict, fields

from rnn_core.models import ModelConfig
from rnn_core.runs.compare import run_settings
from rnn_core.runs.naming import (
    KNOBS,
    MODEL_DEFAULTS,
    TRAIN_DEFAULTS,
    Origin,
    default_name,
    display_names,
    given_name,
    origin_labels,
    origin_of,
)
from rnn_core.runs.store import RunRecord
from rnn_core.training.trainer import TrainConfig
from tests.paths import ROOT

CELLS = {"lstm": "LSTM", "gru": "GRU"}


def record(
    run_id: str,
    created: float,
    *,
    cell: str = "lstm",
    hidden: int = 32,
    lr: float = 0.01,
    clip: float | None = 1.0,
    seed: int = 0,
    sweep: str | None = None,
    origin: dict | None = None,
    name: str | None = None,
    source: str = "Sine: 8 series × 400 samples at 20 Hz",
    link: dict | None = None,
) -> RunRecord:
    """A stored run as the store lists it, its settings as a run of this app stores them."""
    model = asdict(ModelConfig(cell=cell, hidden_size=hidden))
    training = asdict(TrainConfig(learning_rate=lr, clip_grad_norm=clip, seed=seed))
    settings = run_settings(link or {}, model, training, seed)
    if origin is not None:
        settings["origin"] = origin
    label = CELLS[cell]
    return RunRecord(
        id=run_id,
        owner="o",
        name=name if name is not None else f"{label} {hidden} · seed {seed}",  # as stored before
        source=source,
        cell=label,
        parameters=100,
        seed=seed,
        settings=settings,
        state="finished",
        message="",
        created=created,
        updated=created,
        steps=100,
        best_val=0.5,
        sweep=sweep,
        share_token=None,
        checkpoint_step=100,
        file_bytes=0,
    )


def test_the_defaults_named_here_are_the_configs_own():
    model, training = asdict(ModelConfig()), asdict(TrainConfig())
    assert {key: model[key] for key in MODEL_DEFAULTS} == {**MODEL_DEFAULTS, "layer_sizes": ()}
    assert {key: training[key] for key in TRAIN_DEFAULTS} == TRAIN_DEFAULTS
    assert {"learning_rate", "clip_grad_norm"} <= {f.name for f in fields(TrainConfig)}


def test_a_sweeps_runs_differing_in_lr_and_hidden_size_get_distinct_names():
    sweep = "sweep-abc"
    runs = [
        record("a", 1, lr=0.01, hidden=16, sweep=sweep),
        record("b", 2, lr=0.03, hidden=16, sweep=sweep),
        record("c", 3, lr=0.01, hidden=64, sweep=sweep),
        record("d", 4, lr=0.03, hidden=64, sweep=sweep),
    ]
    names = display_names(runs)
    assert names == {
        "a": "Sweep 1 · lr 0.01 · hidden 16",
        "b": "Sweep 1 · lr 0.03 · hidden 16",
        "c": "Sweep 1 · lr 0.01 · hidden 64",
        "d": "Sweep 1 · lr 0.03 · hidden 64",
    }


def test_sweeps_are_numbered_by_age_and_their_seeds_named():
    runs = [
        record("new", 10, lr=0.1, seed=0, sweep="sweep-2"),
        record("new-1", 11, lr=0.1, seed=1, sweep="sweep-2"),
        record("old", 1, lr=0.03, sweep="sweep-1"),
        record("old-2", 2, lr=0.3, sweep="sweep-1"),
    ]
    names = display_names(runs)
    assert names["old"] == "Sweep 1 · lr 0.03" and names["old-2"] == "Sweep 1 · lr 0.3"
    assert names["new"] == "Sweep 2 · seed 0" and names["new-1"] == "Sweep 2 · seed 1"
    assert origin_labels(runs)["new"] == "Sweep 2"


def test_compare_cells_are_named_by_cell_and_clipping():
    group = "compare-0123456789ab"
    runs = [
        record("lstm", 1, cell="lstm", sweep=group),
        record("gru", 2, cell="gru", sweep=group),
        record("gru-free", 3, cell="gru", clip=None, sweep=group),
    ]
    names = display_names(runs)
    assert names == {
        "lstm": "Compare 1 · LSTM · clip 1",
        "gru": "Compare 1 · GRU · clip 1",
        "gru-free": "Compare 1 · GRU · no clipping",
    }


def test_runs_of_every_origin_once_named_alike_are_told_apart():
    """The issue's store: Train, Compare, two lrs of a sweep and an import, all stored as
    "LSTM 32 · seed 0"."""
    runs = [
        record("train", 1),
        record("compare", 2, sweep="compare-x"),
        record("compare-gru", 3, cell="gru", sweep="compare-x"),
        record("sweep-1", 4, lr=0.01, sweep="sweep-s"),
        record("sweep-2", 5, lr=0.03, sweep="sweep-s"),
        record("import", 6, origin={"kind": "import", "group": None}),
    ]
    assert len({r.name for r in runs if r.cell == "LSTM"}) == 1  # today's names
    names = display_names(runs)
    assert len(set(names.values())) == len(runs)
    assert names["train"] == "Train · LSTM · lr 0.01 · hidden 32"
    assert names["import"] == "Imported · LSTM · lr 0.01 · hidden 32"
    assert names["sweep-2"] == "Sweep 1 · lr 0.03"


def test_an_imported_run_is_marked_and_its_given_name_kept():
    runs = [
        record("mine", 1, name="my best GRU", cell="gru", origin={"kind": "import", "group": None}),
        record("auto", 2, origin={"kind": "import", "group": None}),
    ]
    assert origin_of(runs[0]) == Origin("import", None)
    assert origin_labels(runs) == {"mine": "Imported", "auto": "Imported"}
    names = display_names(runs)
    assert names["mine"] == "my best GRU"  # a name a person gave wins
    assert names["auto"].startswith("Imported · ")


def test_old_runs_without_an_origin_take_it_from_their_record():
    assert origin_of(record("s", 1, sweep="sweep-1a2b")) == Origin("sweep", "sweep-1a2b")
    assert origin_of(record("c", 1, sweep="compare-1a2b")) == Origin("compare", "compare-1a2b")
    assert origin_of(record("t", 1)) == Origin("train", None)
    stored = record("n", 1, sweep="sweep-x", origin={"kind": "compare", "group": "compare-y"})
    assert origin_of(stored) == Origin("compare", "compare-y")  # the stored origin first
    odd = record("o", 1, origin={"kind": "nonsense"}, sweep="sweep-z")
    assert origin_of(odd) == Origin("sweep", "sweep-z")


def test_given_names_win_and_made_names_do_not():
    old = record("old", 1)  # "LSTM 32 · seed 0", as runs were stored before
    new = record("new", 2, name=default_name("LSTM", (32,), 0.01, 0))
    renamed = record("renamed", 3, name="baseline, do not delete")
    assert not given_name(old) and not given_name(new) and given_name(renamed)
    assert default_name("GRU", (64, 32), 0.003, 7) == "GRU 64-32 · lr 0.003 · seed 7"
    names = display_names([old, new, renamed])
    assert names["renamed"] == "baseline, do not delete"
    assert names["old"] != old.name


def test_runs_alike_in_every_setting_are_numbered_oldest_first():
    runs = [record("second", 2), record("first", 1), record("other", 3, lr=0.1)]
    names = display_names(runs)
    assert names["first"].endswith("(1)") and names["second"].endswith("(2)")
    assert names["first"][:-4] == names["second"][:-4]
    assert not names["other"].endswith(")")


def test_train_runs_differing_only_in_seed_or_data_say_so():
    runs = [
        record("a", 1, seed=0),
        record("b", 2, seed=1, source="Text: nested brackets"),
    ]
    names = display_names(runs)
    sine = "Sine: 8 series × 400 samples at 20 Hz"
    assert names["a"] == f"Train · LSTM · lr 0.01 · hidden 32 · {sine} · seed 0"
    assert names["b"] == "Train · LSTM · lr 0.01 · hidden 32 · Text: nested brackets · seed 1"


def test_hand_made_records_without_settings_get_names():
    bare = RunRecord(**{**record("x", 1).__dict__, "settings": {}, "name": "LSTM 32 · seed 0"})
    assert display_names([bare]) == {"x": "Train · LSTM · lr 0.01 · hidden 32"}
    odd = RunRecord(**{**record("y", 1).__dict__, "settings": "text", "sweep": None})
    assert display_names([odd])["y"]


def test_naming_imports_no_torch():
    code = "import sys, rnn_core.runs.naming, rnn_core.runs.columns; print('torch' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "False"


def test_settings_that_hold_anything_give_question_marks_not_errors():
    """A run kept before imports were checked may hold any values: its name says "?"."""
    odd = {
        "link": "hidden=32",
        "model": {"hidden_size": "big", "layer_sizes": ["a", 2], "num_layers": True},
        "training": {"learning_rate": "fast", "clip_grad_norm": [1], "optimizer": 3},
    }
    x = RunRecord(**{**record("x", 1).__dict__, "settings": odd})
    words = [KNOBS[knob](x) for knob in ("lr", "hidden", "layers", "clip", "optimizer")]
    assert words == ["lr ?", "hidden ?", "? layers", "clip ?", "?"]
    base = record("y", 2)
    nan = {**base.settings, "training": {**base.settings["training"], "learning_rate": math.nan}}
    y = RunRecord(**{**base.__dict__, "settings": nan})
    names = display_names([x, y])
    assert names["x"] == "LSTM 32 · seed 0"  # sizes unread: this name is not one it was made with
    assert names["y"] == "Train · LSTM · lr ? · hidden 32 · 1 layer · clip 1 · Adam"
