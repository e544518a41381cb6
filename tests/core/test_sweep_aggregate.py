"""A sweep's table, means and spreads against numpy on stored histories."""

import numpy as np
import pandas as pd
import pytest

from rnn_core.sweeps.aggregate import (
    RunResult,
    best_setting,
    best_validation,
    final_validation,
    grid,
    run_table,
    summary_table,
)
from rnn_core.training.history import COLUMNS, mean_over_seeds
from tests.core.sweep_data import tiny_sweep

KNOBS = ["Learning rate", "Hidden size"]


def history(val_losses, every: int = 5) -> pd.DataFrame:
    """A stored history with a validation loss every `every` steps."""
    steps = len(val_losses) * every
    frame = pd.DataFrame(np.nan, index=range(steps), columns=list(COLUMNS))
    frame["step"] = np.arange(1, steps + 1, dtype=float)
    frame["loss"] = 1.0
    frame.loc[np.arange(every - 1, steps, every), "val_loss"] = val_losses
    return frame


def stored_results(states=None, seed=0):
    """Every run of the tiny sweep with random validation curves; `states` overrides some."""
    rng = np.random.default_rng(seed)
    states = states or {}
    return [
        RunResult(run, states.get(run.index, "finished"), "", history(rng.uniform(0.1, 1, 4)))
        for run in tiny_sweep().runs()
    ]


def test_final_and_best_are_the_last_and_lowest_measured():
    frame = history([0.5, 0.2, 0.3])
    assert final_validation(frame) == 0.3
    assert best_validation(frame) == 0.2
    assert np.isnan(final_validation(frame.iloc[:3]))  # no measurement yet


def test_the_summary_equals_numpy_over_the_seeds_of_each_setting():
    results = stored_results()
    summary = summary_table(results, KNOBS)
    assert len(summary) == 4
    for _, row in summary.iterrows():
        mine = [r for r in results if r.run.setting == (row[KNOBS[0]], row[KNOBS[1]])]
        final = np.array([r.history["val_loss"].dropna().iloc[-1] for r in mine])
        best = np.array([r.history["val_loss"].min() for r in mine])
        assert row["seeds done"] == 3
        np.testing.assert_allclose(
            [row["final mean"], row["final std"], row["final min"], row["final max"]],
            [final.mean(), final.std(ddof=1), final.min(), final.max()],
        )
        np.testing.assert_allclose(
            [row["best mean"], row["best std"]], [best.mean(), best.std(ddof=1)]
        )


def test_diverged_and_failed_seeds_are_counted_apart_from_the_means():
    results = stored_results({0: "diverged", 1: "failed", 4: "training"})
    summary = summary_table(results, KNOBS).set_index(KNOBS)
    first = summary.loc[(0.01, 4)]
    assert (first["seeds done"], first["diverged"], first["failed"]) == (1, 1, 1)
    assert first["final mean"] == final_validation(results[2].history)
    assert np.isnan(first["final std"])  # one seed: no spread
    assert summary.loc[(0.01, 8)]["other"] == 1


def test_the_run_table_has_one_row_per_run():
    results = stored_results({3: "diverged"})
    table = run_table(results, KNOBS)
    assert len(table) == 12
    assert table.loc[3, "state"] == "diverged"
    assert table.loc[5, "final val"] == final_validation(results[5].history)
    assert table.loc[5, "steps"] == 20


def test_the_mean_curve_is_numpy_over_seeds_at_each_step():
    curves = [history([0.9, 0.5, 0.4]), history([0.8, 0.6]), history([0.7, 0.3, 0.2])]
    curve = mean_over_seeds(curves)
    assert list(curve["step"]) == [5, 10, 15]
    np.testing.assert_allclose(curve["mean"], [0.8, 0.4666666, 0.3], rtol=1e-6)
    np.testing.assert_allclose(
        curve["std"][:2], [np.std([0.9, 0.8, 0.7], ddof=1), np.std([0.5, 0.6, 0.3], ddof=1)]
    )
    np.testing.assert_allclose(curve["min"], [0.7, 0.3, 0.2])
    np.testing.assert_allclose(curve["max"], [0.9, 0.6, 0.4])
    assert list(curve["count"]) == [3, 3, 2]


def test_the_grid_and_the_best_setting():
    summary = summary_table(stored_results(), KNOBS)
    columns, rows, matrix = grid(summary, KNOBS)
    assert (columns, rows) == ([0.01, 0.05], [4, 8])
    for _, row in summary.iterrows():
        r, c = rows.index(row[KNOBS[1]]), columns.index(row[KNOBS[0]])
        assert matrix[r, c] == row["final mean"]
    lowest = summary.loc[summary["final mean"].idxmin()]
    assert best_setting(summary, KNOBS) == (lowest[KNOBS[0]], lowest[KNOBS[1]])


@pytest.mark.parametrize("state", ["diverged", "failed"])
def test_a_setting_whose_seeds_all_failed_has_no_mean(state):
    results = stored_results({0: state, 1: state, 2: state})
    summary = summary_table(results, KNOBS)
    assert np.isnan(summary.loc[0, "final mean"])
    assert best_setting(summary, KNOBS) != (0.01, 4)
