"""Compare over seeds: the per-cell table against numpy over the seeds' stored histories."""

import numpy as np

from rnn_core.models import ModelConfig, count_parameters
from rnn_core.sweeps.seeds import SeededRun, seed_curves, seed_table, seeds_state
from tests.core.test_sweep_aggregate import history


def seeded(states, seed=0):
    rng = np.random.default_rng(seed)
    runs = []
    for k, state in enumerate(states):
        frame = history(rng.uniform(0.1, 1, 4))
        frame["seconds"] = np.arange(len(frame)) * 0.002 * (k + 1)
        runs.append(SeededRun(k, state, frame))
    return runs


def test_the_seed_table_is_numpy_over_the_seeds_that_completed():
    lstm, gru = ModelConfig(cell="lstm"), ModelConfig(cell="gru", hidden_size=20)
    cells = {
        "LSTM": (lstm, seeded(["finished"] * 4)),
        "GRU": (gru, seeded(["finished", "diverged", "early_stopped"], seed=1)),
    }
    table = seed_table(cells).set_index("cell")
    for label, (config, runs) in cells.items():
        row = table.loc[label]
        done = [r for r in runs if r.state != "diverged"]
        final = [r.history["val_loss"].dropna().iloc[-1] for r in done]
        best = [r.history["val_loss"].min() for r in done]
        np.testing.assert_allclose(
            [row["final validation loss (mean)"], row["final validation loss (std)"]],
            [np.mean(final), np.std(final, ddof=1)],
        )
        np.testing.assert_allclose(
            [row["best validation loss (mean)"], row["best validation loss (std)"]],
            [np.mean(best), np.std(best, ddof=1)],
        )
        assert row["parameters"] == count_parameters(config)
        per_step = [np.diff(r.history["seconds"]).mean() for r in runs]
        np.testing.assert_allclose(row["ms per step"], 1e3 * np.mean(per_step))
    assert table.loc["GRU", "diverged"] == 1 and table.loc["GRU", "seeds done"] == 2
    assert table.loc["GRU", "state"] == "2 of 3 finished, 1 diverged"


def test_the_state_says_what_every_seed_does():
    runs = seeded(["finished", "training", "queued", "queued", "failed"])
    assert seeds_state(runs) == "1 of 5 finished, 1 training, 2 queued, 1 failed"


def test_the_curves_are_one_mean_curve_per_cell():
    runs = seeded(["finished"] * 3)
    curve = seed_curves({"LSTM": (ModelConfig(), runs)})["LSTM"]
    values = np.stack([r.history["val_loss"].dropna().to_numpy() for r in runs])
    np.testing.assert_allclose(curve["mean"], values.mean(axis=0))
    np.testing.assert_allclose(curve["min"], values.min(axis=0))
