"""One unit per quantity: bits per character = nats / ln 2 for text, nats for other classes, MSE
for values; the Runs table's columns, its loss in each run's unit, and its filters."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.datasets.memory import AddingConfig, CopyConfig, prepare_adding, prepare_copy
from rnn_core.figures.colors import SERIES_COLORS
from rnn_core.figures.runs import runs_figure
from rnn_core.runs.columns import (
    COPY_TASK,
    IMU,
    IMU_CLASSIFY,
    IMU_SET_CHOICES,
    MEMORY,
    TEXT,
    RunFilter,
    by_unit,
    filtered,
    groups,
    loss_column,
    loss_text,
    run_unit,
    runs_frame,
)
from rnn_core.training.losses import loss_for
from rnn_core.units import (
    BITS_PER_CHAR,
    MSE,
    MSE_STANDARDIZED,
    NATS,
    data_unit,
    in_unit,
    loss_scale,
    loss_unit,
    nats_to_bits,
)
from tests.core.test_run_names import record
from ui.session import settings as ui_settings

SMALL = dict(train_sequences=8, validation_sequences=4, test_sequences=4)


def test_bits_per_character_is_nats_over_ln_2():
    vocabulary = 8
    uniform = torch.zeros(3, 5, vocabulary)  # knows nothing: every character equally likely
    nats = loss_for(uniform, torch.randint(0, vocabulary, (3, 5))).item()
    assert nats == pytest.approx(math.log(vocabulary), rel=1e-6)
    assert nats_to_bits(nats) == pytest.approx(math.log2(vocabulary), rel=1e-6)
    for loss in (1e-6, 0.5, 1.542, 7.0):
        closed_form = loss / math.log(2)
        assert nats_to_bits(loss) == closed_form
        assert loss * BITS_PER_CHAR.scale == pytest.approx(closed_form, rel=1e-15)
    assert BITS_PER_CHAR.number(1.542) == "2.225 bits/char"  # the 1.542 nats


def test_the_unit_of_prepared_data(text_data, sine_data):
    adding = prepare_adding(AddingConfig(length=10, **SMALL))
    copy = prepare_copy(CopyConfig(**SMALL))
    assert data_unit(text_data) == BITS_PER_CHAR
    assert data_unit(sine_data) == MSE_STANDARDIZED
    assert data_unit(adding) == MSE and data_unit(copy) == NATS
    assert (loss_unit(text_data), loss_scale(text_data)) == ("bits/char", 1 / math.log(2))
    assert (loss_unit(copy), loss_scale(copy)) == ("cross-entropy, nats", 1.0)
    assert (loss_unit(sine_data), loss_unit(adding)) == ("MSE, standardized", "MSE")


def test_train_reads_the_same_rule():
    from ui.train import live

    assert live.loss_unit is loss_unit and live.loss_scale is loss_scale


def test_the_link_labels_read_here_are_the_data_pages():
    assert {TEXT, MEMORY, IMU} <= set(ui_settings.SOURCE_KINDS)
    assert COPY_TASK in ui_settings.SETTINGS["memory.task"].choices
    assert IMU_CLASSIFY in ui_settings.IMU_TASKS
    assert IMU_SET_CHOICES == ui_settings.IMU_SET_CHOICES


def linked(link: dict, **kwargs):
    return record("r", 1, link=link, **kwargs)


def test_the_unit_of_a_stored_run_from_its_settings():
    text = record("t", 1)
    text = replace(text, settings={**text.settings, "model": {"vocab_size": 40}})
    assert run_unit(text) == BITS_PER_CHAR
    assert run_unit(linked({"source_kind": ["Text"]})) == BITS_PER_CHAR
    assert run_unit(linked({})) == MSE_STANDARDIZED  # sine waves, the default source
    assert run_unit(linked({"source_kind": ["Memory task"]})) == MSE  # the adding problem
    assert run_unit(linked({"source_kind": ["Memory task"], "memory.task": ["Copy task"]})) == NATS
    imu = {"source_kind": ["IMU recording"], "imu.task": [IMU_CLASSIFY]}
    assert run_unit(linked(imu)) == NATS
    assert run_unit(linked({**imu, "imu.choice": [IMU_SET_CHOICES[0]]})) == MSE_STANDARDIZED
    assert run_unit(linked({"source_kind": ["IMU recording"]})) == MSE_STANDARDIZED
    assert run_unit(replace(text, settings="not a table")) == MSE_STANDARDIZED


def text_run(run_id: str, created: float, best: float):
    run = record(run_id, created, link={"source_kind": ["Text"]})
    return replace(run, best_val=best, source="Text: nested brackets")


def test_a_table_of_one_unit_holds_numbers_under_a_header_with_it():
    runs = [text_run("a", 1, 1.542), text_run("b", 2, 2.0)]
    header, values = loss_column(runs)
    assert header == "best val. loss (bits/char)"
    assert values == pytest.approx([1.542 / math.log(2), 2.0 / math.log(2)], rel=1e-15)


def test_a_table_mixing_tasks_writes_each_value_with_its_unit():
    sine = replace(record("s", 3), best_val=0.0123)
    runs = [text_run("t", 1, 1.542), sine, replace(record("n", 4), best_val=None)]
    header, values = loss_column(runs)
    assert header == "best val. loss"
    assert values == ["2.225 bits/char", "0.0123 MSE", None]
    assert loss_text(runs[2]) == "–"


def test_the_table_columns():
    runs = [
        text_run("t", 1, 1.542),
        record("s1", 2, lr=0.03, sweep="sweep-a"),
        record("s2", 3, lr=0.1, sweep="sweep-a"),
        record("i", 4, origin={"kind": "import", "group": None}),
    ]
    frame = runs_frame(runs)
    assert list(frame.columns) == [
        "name",
        "origin",
        "source",
        "cell",
        "lr",
        "steps",
        "best val. loss",
        "state",
        "date",
    ]
    assert list(frame["origin"]) == ["Train", "Sweep 1", "Sweep 1", "Imported"]
    assert list(frame["lr"]) == [0.01, 0.03, 0.1, 0.01]
    assert list(frame["best val. loss"]) == ["2.225 bits/char"] + ["0.5 MSE"] * 3
    assert frame["name"].is_unique
    assert list(runs_frame(runs[1:2], runs)["name"]) == ["Sweep 1 · lr 0.03"]  # among all


def test_filters_by_words_origin_and_group():
    runs = [
        record("t", 1),
        record("s1", 2, lr=0.03, sweep="sweep-a"),
        record("s2", 3, lr=0.1, sweep="sweep-a"),
        record("s3", 4, lr=0.1, sweep="sweep-b"),
        record("c", 5, cell="gru", sweep="compare-c"),
        record("i", 6, origin={"kind": "import", "group": None}),
    ]
    ids = lambda chosen: [r.id for r in filtered(runs, chosen)]  # noqa: E731
    assert ids(RunFilter()) == [r.id for r in runs]
    assert ids(RunFilter(kinds=("sweep",))) == ["s1", "s2", "s3"]
    assert ids(RunFilter(kinds=("import", "train"))) == ["t", "i"]
    assert ids(RunFilter(group="Sweep 2")) == ["s3"]
    assert ids(RunFilter(text="lr 0.1", kinds=("sweep",))) == ["s2", "s3"]
    assert ids(RunFilter(text="imported")) == ["i"]
    assert ids(RunFilter(text="GRU")) == ["c"]
    assert groups(runs) == ["Sweep 1", "Sweep 2", "Compare 1"]


def test_curves_read_in_each_runs_unit():
    history = pd.DataFrame(
        {"step": [1.0, 2.0], "loss": [1.0, 0.5], "val_loss": [np.nan, 0.6], "grad_norm": [3, 2]}
    )
    bits = in_unit(history, BITS_PER_CHAR)
    assert np.allclose(bits["loss"], history["loss"] / math.log(2), rtol=1e-15)
    assert np.isnan(bits["val_loss"][0])
    assert bits["val_loss"][1] == pytest.approx(0.6 / math.log(2), rel=1e-15)
    assert bits["grad_norm"].tolist() == [3, 2] and in_unit(history, MSE) is history
    runs = [text_run("t", 1, 1.0), record("s", 2), text_run("u", 3, 1.0)]
    assert {unit: [r.id for r in group] for unit, group in by_unit(runs).items()} == {
        BITS_PER_CHAR: ["t", "u"],
        MSE_STANDARDIZED: ["s"],
    }


def test_the_runs_figure_names_the_unit_and_continues_the_colours():
    history = pd.DataFrame(
        {"step": [1.0, 2.0], "loss": [1.0, 0.5], "val_loss": [0.9, 0.6], "grad_norm": [3, 2]}
    )
    first = runs_figure([("a", history)], [], "loss", "bits/char")
    second = runs_figure([("b", history)], [], "loss", "MSE, standardized", first_color=1)
    assert first.layout.yaxis.title.text == "loss (bits/char, log scale)"
    assert second.layout.yaxis.title.text == "loss (MSE, standardized, log scale)"
    assert first.data[0].line.color == SERIES_COLORS[0]
    assert second.data[0].line.color == SERIES_COLORS[1]
    assert first.layout.showlegend is True
    grad = runs_figure([("a", history)], [], "grad_norm", "bits/char")
    assert grad.layout.yaxis.title.text == "global L2 norm (log scale)"  # no loss unit
