"""Stored runs compared: seed groups, the mean and range against numpy, and the figure's data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnn_core.figures.runs import runs_figure
from rnn_core.runs.compare import run_settings, seed_groups
from rnn_core.runs.store import RunRecord
from rnn_core.training.history import mean_over_seeds


def record(run_id, seed, hidden=32, data_seed=0):
    settings = run_settings(
        {"seed": seed, "hidden": hidden, "sine.seed": data_seed},
        {"hidden_size": hidden},
        {"lr": 0.01, "seed": seed},
        seed,
    )
    return RunRecord(
        run_id,
        "o",
        run_id,
        "Sine waves",
        "LSTM",
        1,
        seed,
        settings,
        "finished",
        "",
        0.0,
        0.0,
        10,
        None,
        None,
        None,
        None,
        0,
    )


def test_runs_that_differ_only_in_seed_are_one_group():
    runs = [record("a", 0), record("b", 1), record("c", 0, hidden=64), record("d", 2, data_seed=1)]
    assert [[r.id for r in group] for group in seed_groups(runs)] == [["a", "b"], ["c"], ["d"]]


def history(steps, values):
    frame = pd.DataFrame({"step": steps, "val_loss": values})
    return frame.assign(loss=1.0, grad_norm=1.0)


def test_mean_and_range_over_the_steps_all_runs_measured():
    first = history([5, 10, 15, 20], [4.0, 2.0, 1.0, 0.5])
    second = history([5, 10, 15], [2.0, np.nan, 3.0])
    band = mean_over_seeds([first, second], "val_loss", every=True)
    np.testing.assert_array_equal(band["step"], [5, 15])
    np.testing.assert_allclose(band["mean"], np.mean([[4.0, 1.0], [2.0, 3.0]], axis=0))
    np.testing.assert_allclose(band["min"], [2.0, 1.0])
    np.testing.assert_allclose(band["max"], [4.0, 3.0])


def test_the_figure_draws_bands_then_lines():
    first = history([5, 10], [4.0, 2.0])
    band = mean_over_seeds([first, history([5, 10], [2.0, 1.0])], "val_loss")
    fig = runs_figure([("run c", first)], [("LSTM 32", band)], "val_loss")
    fill, mean, line = fig.data
    assert fill.fill == "toself" and list(fill.x) == [5, 10, 10, 5]
    np.testing.assert_allclose(fill.y, [4.0, 2.0, 1.0, 2.0])
    np.testing.assert_allclose(mean.y, [3.0, 1.5])
    assert line.name == "run c" and fig.layout.yaxis.type == "log"
    assert fig.layout.title.text == "Validation loss"


def test_runs_and_sweeps_draw_one_mean_over_seeds():
    """Runs' bands (steps every seed measured) are the sweep's mean curve at those steps."""
    first = history([5, 10, 15, 20], [4.0, 2.0, 1.0, 0.5])
    second = history([5, 10, 15], [2.0, np.nan, 3.0])
    every = mean_over_seeds([first, second], "val_loss", every=True)
    anywhere = mean_over_seeds([first, second], "val_loss").set_index("step")
    np.testing.assert_array_equal(anywhere.index, [5, 10, 15, 20])
    np.testing.assert_array_equal(anywhere["count"], [2, 1, 2, 1])
    shared = anywhere.loc[every["step"]]
    for column in ("mean", "std", "min", "max"):
        np.testing.assert_allclose(every[column], shared[column])
    assert len(mean_over_seeds([first, history([], [])], "val_loss", every=True)) == 0
