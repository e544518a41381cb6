"""The Runs page tells runs apart: a sweep's two runs, a comparison's pair, a text run and an
import, all stored under names that were alike, get distinct names; the table shows origin,
learning rate, steps and source; filters by origin and by group; each loss in its unit."""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from dataclasses import asdict

import numpy as np
import pytest

from rnn_core.models import ModelConfig
from rnn_core.runs.compare import run_settings
from rnn_core.training.trainer import TrainConfig
from tests.app.conftest import (
    RERUN_S,
    chart_values,
    compare_until_done,
    no_problems,
    open_app,
    plotly_figure,
    train_until_done,
)
from tests.core.test_run_store import rows, state_bytes
from ui.session.owner import TOKEN
from ui.session.run_store import run_store

SINE = "Sine: 8 series × 400 samples at 20 Hz"
TEXT = "Text: nested brackets"


def stored(
    owner, name, *, cell="lstm", hidden=32, lr=0.01, sweep=None, origin=None, text=False, store=None
):
    """A finished run of 20 steps as the store keeps it, under the name runs had before."""
    model = ModelConfig(
        cell=cell,
        hidden_size=hidden,
        vocab_size=40 if text else None,
        output_size=40 if text else 1,
    )
    link = {"source_kind": ["Text"]} if text else {}
    settings = run_settings(link, asdict(model), asdict(TrainConfig(learning_rate=lr)), 0)
    if origin is not None:
        settings["origin"] = origin
    store = store or run_store()
    record = store.create_run(
        owner,
        name=name,
        source=TEXT if text else SINE,
        cell=cell.upper(),
        parameters=100,
        seed=0,
        settings=settings,
        sweep=sweep,
    )
    store.append_rows(record.id, rows(1, 21))  # best validation loss 1/20 at step 20
    store.save_state(record.id, 20, state_bytes(20))
    store.set_state(record.id, "finished", "Finished after 20 steps.")
    return store.get(record.id)


def six_runs(owner, store=None):
    """Two runs of a sweep, a comparison's pair, a text run and an import, as `owner`'s."""
    return {
        "sweep-a": stored(owner, "LSTM 16 · seed 0", hidden=16, sweep="sweep-s1", store=store),
        "sweep-b": stored(
            owner, "LSTM 64 · seed 0", hidden=64, lr=0.03, sweep="sweep-s1", store=store
        ),
        "lstm": stored(owner, "LSTM 32 · seed 0", sweep="compare-c1", store=store),
        "gru": stored(owner, "GRU 32 · seed 0", cell="gru", sweep="compare-c1", store=store),
        "text": stored(owner, "LSTM 32 · seed 0", text=True, store=store),
        "import": stored(
            owner, "LSTM 32 · seed 0", origin={"kind": "import", "group": None}, store=store
        ),
    }


@pytest.fixture
def runs():
    """A new browser's six runs (`six_runs`)."""
    secret = uuid.uuid4().hex + "n" * 8
    return secret, six_runs(hashlib.sha256(secret.encode()).hexdigest())


def runs_page_without_problems(secret):
    at = open_app()
    at.session_state[TOKEN] = secret
    at.switch_page("app_pages/runs.py").run()
    no_problems(at)
    return at


def table(at):
    return at.dataframe[0].value


def test_runs_once_named_alike_get_distinct_names_and_the_columns(runs):
    secret, made = runs
    frame = table(runs_page_without_problems(secret)).set_index("name")
    assert sorted(frame.index) == sorted(
        [
            "Sweep 1 · lr 0.01 · hidden 16",
            "Sweep 1 · lr 0.03 · hidden 64",
            "Compare 1 · LSTM · clip 1",
            "Compare 1 · GRU · clip 1",
            "Train · LSTM · lr 0.01 · hidden 32",
            "Imported · LSTM · lr 0.01 · hidden 32",
        ]
    )
    assert frame.loc["Sweep 1 · lr 0.03 · hidden 64", "origin"] == "Sweep 1"
    assert frame.loc["Compare 1 · GRU · clip 1", "origin"] == "Compare 1"
    assert frame.loc["Imported · LSTM · lr 0.01 · hidden 32", "origin"] == "Imported"
    assert frame.loc["Sweep 1 · lr 0.03 · hidden 64", "lr"] == 0.03
    assert set(frame["steps"]) == {20}
    assert frame.loc["Train · LSTM · lr 0.01 · hidden 32", "source"] == TEXT
    # a table that mixes tasks writes each value with its unit: 1/20 nats, 1/20 MSE
    losses = frame["best val. loss"]
    assert losses["Train · LSTM · lr 0.01 · hidden 32"] == f"{0.05 / math.log(2):.4g} bits/char"
    assert losses["Compare 1 · GRU · clip 1"] == "0.05 MSE"


def test_filters_by_origin_and_by_sweep(runs):
    secret, _ = runs
    at = runs_page_without_problems(secret)
    at.multiselect(key="runs.origins").set_value(["sweep"]).run()
    no_problems(at)
    assert set(table(at)["origin"]) == {"Sweep 1"} and len(table(at)) == 2
    assert "best val. loss (MSE)" in table(at)  # one unit: numbers, the unit in the header
    at.multiselect(key="runs.origins").set_value(["import", "train"]).run()
    assert sorted(table(at)["origin"]) == ["Imported", "Train"]
    at.multiselect(key="runs.origins").set_value([]).run()
    at.selectbox(key="runs.group").set_value("Compare 1").run()
    no_problems(at)
    assert list(table(at)["name"]) == ["Compare 1 · GRU · clip 1", "Compare 1 · LSTM · clip 1"]
    at.selectbox(key="runs.group").set_value("Sweep 1").run()
    at.text_input(key="runs.filter").set_value("lr 0.03").run()
    assert list(table(at)["name"]) == ["Sweep 1 · lr 0.03 · hidden 64"]
    at.text_input(key="runs.filter").set_value("nothing like it").run()
    assert "No run matches" in at.info[0].value and len(table(at)) == 0


def test_a_text_run_reads_in_bits_per_character_beside_a_sine_run(runs):
    secret, made = runs
    at = runs_page_without_problems(secret)
    at.multiselect(key="runs.compare").set_value([made["text"].id, made["gru"].id]).run()
    no_problems(at)
    titles = [plotly_figure(at, i)["layout"]["yaxis"]["title"]["text"] for i in range(5)]
    assert titles == [
        "loss (bits/char, log scale)",  # training loss: one chart per unit
        "loss (MSE, standardized, log scale)",
        "loss (bits/char, log scale)",  # validation loss
        "loss (MSE, standardized, log scale)",
        "global L2 norm (log scale)",
    ]
    history = run_store().history(made["text"].id)
    (text_line,) = plotly_figure(at, 0)["data"]
    assert text_line["name"] == "Train · LSTM · lr 0.01 · hidden 32"
    np.testing.assert_allclose(
        chart_values(text_line["y"]), history["loss"] / math.log(2), rtol=1e-6
    )
    (sine_line,) = plotly_figure(at, 1)["data"]
    np.testing.assert_allclose(
        chart_values(sine_line["y"]), history["loss"], rtol=1e-6
    )  # as stored
    colors = [line["line"]["color"] for line in (text_line, sine_line)]
    assert colors[0] != colors[1]  # one colour per run across the charts of several units
    assert [
        line["line"]["color"] for line in plotly_figure(at, 4)["data"]
    ] == colors  # gradient norm
    assert plotly_figure(at, 0)["layout"]["showlegend"] is True  # a single line is named too
    at.selectbox(key="runs.one").set_value(made["text"].id).run()
    shown = " ".join(caption.value for caption in at.caption)
    assert f"best validation loss {0.05 / math.log(2):.4g} bits/char" in shown


def test_the_pick_list_and_the_one_run_use_the_names_shown(runs):
    secret, made = runs
    at = runs_page_without_problems(secret)
    picked = at.multiselect(key="runs.compare")
    assert picked.format_func(made["import"].id) == "Imported · LSTM · lr 0.01 · hidden 32"
    picked.set_value([made["sweep-a"].id, made["gru"].id]).run()
    no_problems(at)
    one = at.selectbox(key="runs.one")
    assert one.format_func(made["gru"].id) == "Compare 1 · GRU · clip 1"
    names = {trace["name"] for trace in plotly_figure(at, 0)["data"]}
    assert names == {"Sweep 1 · lr 0.01 · hidden 16", "Compare 1 · GRU · clip 1"}


def test_a_run_whose_settings_hold_anything_is_listed_without_a_traceback():
    """Kept before imports were checked: a text link, sizes and a learning rate that are text."""
    secret = uuid.uuid4().hex + "o" * 8
    owner = hashlib.sha256(secret.encode()).hexdigest()
    odd = {
        "link": "hidden=32",
        "model": {"hidden_size": "big", "vocab_size": None},
        "training": {"learning_rate": "fast", "clip_grad_norm": "x"},
        "seed": 0,
    }
    record = run_store().create_run(
        owner, name="n", source="s", cell="LSTM", parameters=1, seed=0, settings=odd
    )
    at = runs_page_without_problems(secret)
    (row,) = table(at).to_dict("records")
    assert row["name"] == "n" and row["origin"] == "Train" and row["lr"] is None
    at.multiselect(key="runs.compare").set_value([record.id]).run()
    no_problems(at)


def test_a_full_quota_names_runs_to_delete_as_the_table_does(runs, monkeypatch):
    secret, _ = runs
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_RUNS", "6")
    at = runs_page_without_problems(secret)
    (warning,) = [w.value for w in at.warning if "delete" in w.value]
    assert "“Sweep 1 · lr 0.01 · hidden 16”" in warning  # the oldest, named as listed
    assert "seed 0”" not in warning  # not by the names runs were stored under


def test_a_comparison_and_a_training_made_on_their_pages_are_named_apart():
    """The whole path: runs stored by Compare and Train themselves, named on Runs."""
    secret = uuid.uuid4().hex + "p" * 8
    at = open_app()
    at.session_state[TOKEN] = secret
    at.switch_page("app_pages/compare.py").run()
    at.number_input(key="opt.compare.steps").set_value(10).run()
    at.button(key="btn.compare").click().run()
    compare_until_done(at)
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(10).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    owner = hashlib.sha256(secret.encode()).hexdigest()
    store = run_store()
    deadline = time.monotonic() + RERUN_S
    while [r.state for r in store.runs(owner)] != ["finished"] * 4:
        assert time.monotonic() < deadline, "the runs were not stored in time"
        time.sleep(0.2)
    assert {r.name for r in store.runs(owner)} >= {"LSTM 32 · lr 0.01 · seed 0"}  # as stored
    at.switch_page("app_pages/runs.py").run()
    no_problems(at)
    frame = table(at)
    assert sorted(frame["name"]) == [
        "Compare 1 · GRU · clip 1",
        "Compare 1 · LSTM · clip 1",
        "Compare 1 · RNN (tanh) · clip 1",
        "Train · LSTM · lr 0.01 · hidden 32",
    ]
    assert sorted(frame["origin"]) == ["Compare 1"] * 3 + ["Train"]
