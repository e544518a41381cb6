"""Correcting VQF: an untrained correction is VQF itself, exactly; the correction of a row reads
no later row; the targets are the true vertical minus VQF's; scores match a direct computation."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from rnn_core.datasets.imu.attitude import estimate_attitude, inclination_error
from rnn_core.datasets.imu.correction import (
    CORRECTION_INPUTS,
    filter_vertical,
    prepare_correction,
    true_vertical,
)
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.imu.table import imu_table
from rnn_core.datasets.windows import DataError
from rnn_core.evaluation.correction import APART, correction_of, evaluate_correction
from rnn_core.models import ModelConfig, build_model
from tests.paths import ROOT, SHARED

TRIAL_02 = SHARED / "imu-samples/broad-02_undisturbed_slow_rotation_B.csv"
TRIAL_07 = SHARED / "imu-samples/broad-07_undisturbed_fast_rotation_B.csv"
NAMES, ROLES, T = ("broad-07", "broad-02 excerpt", "broad-02"), ("train", "validation", "test"), 25


@pytest.fixture(scope="module")
def trials():
    """Real BROAD recordings at 50 Hz: trial 07 trains, the excerpt of 02 validates, 02 tests."""
    paths = (TRIAL_07, ROOT / "data/broad-02-excerpt.csv", TRIAL_02)
    recordings = [read_imu_csv(p, target_rate=50.0) for p in paths]
    tables = [imu_table(r, "vqf") for r in recordings]
    return recordings, tables, prepare_correction(tables, NAMES, ROLES, T)


def config(head_init: str = "zero") -> ModelConfig:
    return ModelConfig(
        input_size=len(CORRECTION_INPUTS), output_size=3, hidden_size=8, head_init=head_init
    )


def test_a_zero_head_outputs_exactly_zero_and_the_default_does_not():
    x = torch.randn(4, 30, len(CORRECTION_INPUTS))
    assert torch.equal(build_model(config(), 3)(x)[0], torch.zeros(4, 30, 3))
    assert build_model(config("default"), 3)(x)[0].abs().min() > 0


def test_an_untrained_correction_is_the_filter_itself(trials):
    recordings, tables, data = trials
    model = build_model(config(), 0)
    np.testing.assert_array_equal(correction_of(model, data, tables[2]), 0.0)
    result = evaluate_correction(model, data, tables, recordings)
    row = result.table.iloc[0]
    assert row["recording"] == "broad-02" and row["verdict"] == APART
    assert row["filter RMSE (deg)"] == row["corrected RMSE (deg)"]
    # VQF's inclination RMSE over the movement rows, computed here from the filter and the truth.
    vqf = estimate_attitude(recordings[2], "vqf")
    truth = recordings[2].channels[["roll", "pitch"]].to_numpy()
    known, moving = np.isfinite(truth).all(axis=1), recordings[2].motion
    error = inclination_error(vqf["roll"], vqf["pitch"], truth[:, 0], truth[:, 1])
    expected = np.degrees(np.sqrt(np.mean(error[known & moving] ** 2)))
    assert row["filter RMSE (deg)"] == pytest.approx(expected, rel=1e-9)
    beside = result.filters["broad-02"].set_index("estimator")
    assert beside.loc[
        "VQF (Laidig & Seel 2022) + correction", "inclination RMSE in motion (deg)"
    ] == (pytest.approx(expected, rel=1e-6))


def test_the_correction_of_a_row_reads_no_later_row(trials):
    _, tables, data = trials
    model = build_model(config("default"), 1)
    table = tables[2]
    before = correction_of(model, data, table)
    changed = table.values.copy()
    changed.loc[300:, ["gx", "gy", "gz"]] += 0.5  # rad/s, from row 300 on
    after = correction_of(model, data, replace(table, values=changed))
    np.testing.assert_array_equal(after[:300], before[:300])
    assert np.abs(after[300:] - before[300:]).max() > 1e-6
    # Row 299 is the last row of the window of rows 275 .. 299, read alone.
    x = data.meta.input_standardizer.transform(
        np.column_stack(
            [filter_vertical(table), table.values[["ax", "ay", "az", "gx", "gy", "gz"]]]
        )
    )
    alone = model(torch.from_numpy(x[300 - T : 300])[None])[0][0, -1].detach().numpy()
    np.testing.assert_allclose(before[299], data.standardizer.inverse(alone), rtol=1e-5)


def test_the_targets_are_the_true_vertical_minus_the_filters_scaled_not_centred(trials):
    _, tables, data = trials
    assert np.all(data.standardizer.mean == 0)
    _, y = data.train.batch(torch.tensor([0]))  # (1, T, 3): rows s .. s + T - 1
    start = int(data.train.starts[0])
    expected = (true_vertical(tables[0]) - filter_vertical(tables[0]))[start : start + T]
    np.testing.assert_allclose(data.standardizer.inverse(y[0].numpy()), expected, atol=1e-8)


def test_a_recording_without_truth_has_nothing_to_correct_towards(trials):
    _, tables, _ = trials
    blind = replace(tables[0], truth=None)
    with pytest.raises(DataError, match="no ground-truth"):
        prepare_correction([blind, tables[1], tables[2]], NAMES, ROLES, T)
