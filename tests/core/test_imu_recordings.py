"""A set of recordings: whole BROAD trials train, validate and test; statistics from the training
trials only; windows never cross recordings; scores per unseen recording and pooled."""

import io
import zipfile

import numpy as np
import pytest
import torch

from rnn_core.datasets.imu.broad_set import (
    BROAD_SET_PATH,
    BROAD_TRIALS,
    broad_member,
    read_broad_set,
)
from rnn_core.datasets.imu.prepare import ImuTask
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.imu.recordings import (
    prepare_set,
    read_recordings,
    window_slices,
)
from rnn_core.datasets.imu.table import WRAPPED, imu_table
from rnn_core.datasets.imu.units import wrap
from rnn_core.datasets.windows import DataError
from rnn_core.evaluation.imu_sets import POOLED, evaluate_set_forecast, set_score_table
from rnn_core.evaluation.imu_truth import recording_fingerprint
from rnn_core.models import ModelConfig, build_model
from tests.paths import ROOT, SHARED

EXCERPT = ROOT / "data/broad-02-excerpt.csv"
TRIAL_02 = SHARED / "imu-samples/broad-02_undisturbed_slow_rotation_B.csv"
TRIAL_07 = SHARED / "imu-samples/broad-07_undisturbed_fast_rotation_B.csv"
ROLES = ("train", "validation", "test")
T = 20


@pytest.fixture(scope="module")
def trials():
    """Real BROAD recordings at 50 Hz: trial 07 trains, the shipped excerpt of trial 02
    validates, the whole of trial 02 tests (it holds the excerpt: these tests check where
    windows and statistics come from, not what a model learns)."""
    names = ("broad-07", "broad-02 excerpt", "broad-02")
    recordings = (
        read_imu_csv(TRIAL_07, target_rate=50.0),
        read_imu_csv(EXCERPT, target_rate=50.0),
        read_imu_csv(TRIAL_02, target_rate=50.0),
    )
    tables = [imu_table(r, "vqf") for r in recordings]
    return names, recordings, tables


def test_a_zip_of_whole_recordings_gives_one_recording_per_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/first.csv", EXCERPT.read_bytes())
        archive.writestr("second.csv", EXCERPT.read_bytes())
    found = read_recordings(buffer.getvalue())
    assert [name for name, _ in found] == ["first.csv", "second.csv"]
    assert all(r.has_orientation and r.motion is not None for _, r in found)


def test_a_sensor_zip_and_a_csv_stay_one_recording_each():
    (name, phyphox), *rest = read_recordings(ROOT / "data/imu-sim-phyphox.zip")
    assert not rest and phyphox.source_format == "phyphox"
    assert [name for name, _ in read_recordings(EXCERPT)] == ["broad-02-excerpt.csv"]


def test_training_windows_and_statistics_come_from_the_training_recording_only(trials):
    names, _, tables = trials
    data = prepare_set(tables, names, ROLES, T, ImuTask())
    alone = prepare_set([tables[0]] * 3, names, ROLES, T, ImuTask())
    # The same training recording gives the same statistics, whatever validates and tests.
    np.testing.assert_array_equal(
        data.meta.input_standardizer.mean, alone.meta.input_standardizer.mean
    )
    np.testing.assert_array_equal(data.standardizer.std, alone.standardizer.std)
    inputs = tables[0].values[list(ImuTask().inputs)].to_numpy(np.float64)
    np.testing.assert_allclose(data.meta.input_standardizer.mean, inputs.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(data.meta.input_standardizer.std, inputs.std(axis=0), rtol=1e-4)
    # Every window of a role reads rows of its own recording: the first validation window is
    # the excerpt's first T rows, z-scored with the training recording's statistics.
    x, _ = data.validation.batch(torch.tensor([0]))
    first = tables[1].values[list(ImuTask().inputs)].to_numpy(np.float64)[:T]
    expected = data.meta.input_standardizer.transform(first)
    np.testing.assert_allclose(x[0].numpy(), expected, atol=1e-5)
    assert data.meta.windows["train"] == ((0, len(data.train)),)
    assert window_slices(data.meta, "test") == {2: slice(0, len(data.test))}


def test_the_fingerprint_names_the_recordings_trained_on(trials):
    names, _, tables = trials
    meta = prepare_set(tables, names, ROLES, T).meta
    assert meta.trained_on() == (("broad-07", recording_fingerprint(tables[0])),)
    assert [r["name"] for r in meta.fingerprint()["test"]] == ["broad-02"]


@pytest.mark.parametrize(
    ("roles", "words"),
    [
        (("train", "train", "test"), "validation"),
        (("train", "validation", "later"), "Unknown role later"),
        (("train", "test"), "one role"),
    ],
)
def test_roles_that_cannot_make_an_experiment_get_a_sentence(trials, roles, words):
    names, _, tables = trials
    with pytest.raises(DataError, match=words):
        prepare_set(tables, names, roles, T)


def test_a_zero_head_forecasts_the_training_mean_change_on_every_unseen_recording(trials):
    names, _, tables = trials
    data = prepare_set(tables, names, ("train", "validation", "test"), T, ImuTask())
    config = ModelConfig(input_size=8, output_size=5, hidden_size=8, head_init="zero")
    config = ModelConfig(**{**config.__dict__, "task_shape": "many_to_one"})
    evaluations = evaluate_set_forecast(build_model(config, 0), data, tables)
    assert list(evaluations) == ["broad-02", POOLED]
    mean_change = data.standardizer.mean.astype(np.float64)  # what an output of 0 means, in SI
    for evaluation in evaluations.values():
        change = evaluation.prediction - evaluation.persistence  # (W, K)
        for k, name in enumerate(data.target_names):  # a wrapped angle's change, the short way
            if name.split(" ")[0] in WRAPPED:
                change[:, k] = wrap(change[:, k])
        np.testing.assert_allclose(change, np.broadcast_to(mean_change, change.shape), atol=1e-6)
    pooled = evaluations[POOLED]
    assert len(pooled.truth) == len(evaluations["broad-02"].truth)
    assert list(set_score_table(evaluations)["recording"].unique()) == list(evaluations)


def test_the_shipped_set_holds_every_trial_with_the_excerpts_layout():
    with zipfile.ZipFile(BROAD_SET_PATH) as archive:
        members = archive.namelist()
        header = archive.read(members[0]).split(b"\n", 1)[0]
    assert members == [broad_member(trial) for trial in BROAD_TRIALS]
    assert header == EXCERPT.read_bytes().split(b"\n", 1)[0]
    assert BROAD_SET_PATH.stat().st_size < 15e6
    roles = list(BROAD_TRIALS.values())
    assert (roles.count("train"), roles.count("validation"), roles.count("test")) == (8, 2, 5)


def test_a_shipped_trial_is_the_published_trial_as_the_reader_makes_it_at_100_hz():
    _, (shipped,), roles = read_broad_set(trials=["02_undisturbed_slow_rotation_B"])
    published = read_imu_csv(TRIAL_02, target_rate=100.0)
    assert roles == ["test"] and shipped.sample_rate == 100.0
    assert shipped.segments == published.segments
    np.testing.assert_array_equal(shipped.motion, published.motion)
    columns = ["ax", "ay", "az", "gx", "gy", "gz", "qw", "qx", "qy", "qz"]
    a, b = shipped.channels[columns].to_numpy(), published.channels[columns].to_numpy()
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))  # the truth's holes, kept
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=True)  # 6 digits
