"""The correction of VQF trained on shipped BROAD trials, judged on a trial it never saw.

A small, fast configuration of `scripts/correction_result.py` (README, *Sets of recordings and
correcting VQF*): trained on two rotation trials (03, 09) for 300 steps, validated on 11, tested
on trial 07 (fast rotation, undisturbed). What it holds: through the app's one training path,
the correction lowers VQF's inclination RMSE in motion on that unseen trial, and the interval
says so. It is one trial: the five test trials of the full script are the result to quote.
"""

import numpy as np
import pytest
import torch

from rnn_core.datasets.imu.broad_set import read_broad_set
from rnn_core.datasets.imu.correction import CORRECTION_INPUTS, prepare_correction
from rnn_core.datasets.imu.table import imu_table
from rnn_core.evaluation.correction import evaluate_correction
from rnn_core.live.child import trained_model
from rnn_core.live.spec import RunSpec
from rnn_core.models import ModelConfig
from rnn_core.training.trainer import TrainConfig

TRIALS = (
    "03_undisturbed_slow_rotation_C",
    "09_undisturbed_fast_rotation_with_breaks_B",
    "11_undisturbed_slow_translation_B",
    "07_undisturbed_fast_rotation_B",
)


@pytest.fixture(scope="module")
def result():
    torch.set_num_threads(1)
    names, recordings, roles = read_broad_set(trials=TRIALS)
    assert roles == ["train", "train", "validation", "test"]
    tables = [imu_table(r, "vqf") for r in recordings]
    data = prepare_correction(tables, names, roles, 50)
    model_config = ModelConfig(
        input_size=len(CORRECTION_INPUTS), output_size=3, hidden_size=16, head_init="zero"
    )
    train_config = TrainConfig(learning_rate=3e-3, batch_size=32, max_steps=300, eval_every=50)
    model = trained_model(RunSpec(data, model_config, train_config, 0, preview=False))
    return data, evaluate_correction(model, data, tables)


def test_the_correction_lowers_vqfs_error_on_a_trial_it_never_saw(result):
    data, evaluation = result
    assert [name for name, _ in data.meta.trained_on()] == [
        "broad-03_undisturbed_slow_rotation_C.csv",
        "broad-09_undisturbed_fast_rotation_with_breaks_B.csv",
    ]
    row = evaluation.table.iloc[0]
    assert row["recording"] == "broad-07_undisturbed_fast_rotation_B.csv"
    assert row["verdict"] == "improves on VQF"  # the whole 95 % interval below zero
    # VQF 0.63 deg, corrected 0.57 deg when this was written.
    assert row["filter RMSE (deg)"] == pytest.approx(0.626, abs=0.005)
    assert row["corrected RMSE (deg)"] < row["filter RMSE (deg)"] - 0.02
    assert np.isfinite(evaluation.mean_corrected_rmse)
