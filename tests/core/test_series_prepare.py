"""Windows of any series: what each window reads and must predict, the split and its z-scores
fitted on training rows alone, holes and gaps, and a model trained on it by the Trainer."""

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.datasets.series.prepare import SeriesTask, output_names, prepare_series_table
from rnn_core.datasets.series.reader import read_series_csv
from rnn_core.datasets.windows import DataError
from rnn_core.models import ModelConfig, build_model
from rnn_core.training import TrainConfig, Trainer
from tests.paths import ROOT

PJM = ROOT / "tests" / "data" / "series" / "pjm-east-2016-11-and-2017-03.csv"
AIR = ROOT / "tests" / "data" / "series" / "uci-air-quality-semicolon-excerpt.csv"


@pytest.fixture(scope="module")
def pjm():
    return read_series_csv(PJM)


@pytest.fixture(scope="module")
def pjm_data(pjm):
    task = SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=3, every_step=True)
    return prepare_series_table(pjm, seq_len=12, task=task)


def test_each_window_reads_its_rows_and_must_predict_the_next_steps(pjm, pjm_data):
    meta, values = pjm_data.meta, pjm.values[:, 0]
    assert pjm_data.output_size == 3 and pjm_data.outputs == (
        "PJME_MW +1",
        "PJME_MW +2",
        "PJME_MW +3",
    )
    scaler, inputs = pjm_data.standardizer, meta.input_standardizer
    for split in ("train", "validation", "test"):
        windows = pjm_data.split(split)
        picks = windows.evenly_spaced(20)
        x, y = windows.batch(picks)  # (B, T, 1), (B, 3)
        last = meta.last_rows[split][picks.numpy()]
        rows = last[:, None] - 11 + np.arange(12)  # (B, T)
        assert np.allclose(x[..., 0].numpy(), inputs.transform(values[rows][..., None])[..., 0])
        truth = values[last[:, None] + np.arange(1, 4)]  # (B, 3)
        assert np.allclose(scaler.inverse(y.numpy()), truth, equal_nan=True, rtol=1e-6)
        assert np.array_equal(meta.truth(split)[picks.numpy(), :, 0], truth, equal_nan=True)


def test_no_window_crosses_a_gap_or_reads_a_missing_value(pjm, pjm_data):
    meta = pjm_data.meta
    for split in ("train", "validation", "test"):
        last = meta.last_rows[split]
        first = last - 11
        reach = last + 3  # the farthest target
        inside = [
            any(a <= f and r < b for a, b in pjm.segments)
            for f, r in zip(first, reach, strict=True)
        ]
        assert all(inside)
        rows = first[:, None] + np.arange(12)
        assert np.isfinite(pjm.values[rows, 0]).all()
    # the missing steps of the file are targets of some windows: no loss there, NaN in y
    assert (
        np.isnan(pjm_data.meta.truth("train")).any() or np.isnan(pjm_data.meta.truth("test")).any()
    )


def test_z_scores_are_fitted_on_the_training_rows_alone(pjm, pjm_data):
    rows = np.concatenate([np.arange(a, b) for a, b in pjm_data.meta.pieces["train"]])
    train = pjm.values[rows, 0]
    assert pjm_data.standardizer.mean == pytest.approx(np.nanmean(train), rel=1e-6)
    assert pjm_data.standardizer.std == pytest.approx(np.nanstd(train), rel=1e-5)
    assert pjm_data.meta.input_standardizer.mean == pytest.approx([np.nanmean(train)], rel=1e-6)


def test_the_test_block_moves_and_training_keeps_the_rest(pjm):
    task = SeriesTask(("PJME_MW",), ("PJME_MW",))
    early = prepare_series_table(pjm, 12, task, test_at=0.2).meta
    late = prepare_series_table(pjm, 12, task).meta
    assert early.last_rows["test"].max() < late.last_rows["test"].min()
    assert early.last_rows["train"].max() > early.last_rows["test"].max()  # training after it too


def test_many_inputs_to_other_targets_with_masked_cells():
    table = read_series_csv(AIR, missing_codes=(-200,))  # -200: the data set's missing value
    task = SeriesTask(("CO(GT)", "PT08.S1(CO)"), ("C6H6(GT)",), horizon=1)
    data = prepare_series_table(table, seq_len=6, task=task)
    assert data.input_size == 2 and data.output_size == 1 and data.meta.units == ("",)
    assert output_names(task) == ("C6H6(GT)",)
    inputs = np.column_stack([table.column(c) for c in task.inputs])  # (M, 2)
    target = table.column("C6H6(GT)")
    assert (~np.isfinite(inputs)).any()  # CO(GT) has masked cells
    # the windows kept are exactly those whose six input rows are all read and whose next
    # step has a target, inside their part
    for split, pieces in data.meta.pieces.items():
        usable = [
            last
            for start, end in pieces
            for last in range(start + 5, end - 1)
            if np.isfinite(inputs[last - 5 : last + 1]).all() and np.isfinite(target[last + 1])
        ]
        assert data.meta.last_rows[split].tolist() == usable
    assert len(data.meta.last_rows["train"]) < data.meta.pieces["train"][-1][1] - 6


@pytest.mark.parametrize(
    ("task", "seq_len", "words"),
    [
        (SeriesTask(("nope",), ("PJME_MW",)), 12, "no column nope"),
        (SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=0), 12, "at least 1 step ahead"),
        (SeriesTask((), ("PJME_MW",)), 12, "at least one input"),
        (SeriesTask(("PJME_MW",), ("PJME_MW",)), 800, "no stretch of 801 steps"),
    ],
)
def test_a_task_the_series_cannot_serve_gets_a_sentence(pjm, task, seq_len, words):
    with pytest.raises(DataError, match=words):
        prepare_series_table(pjm, seq_len, task)


def test_the_trainer_learns_from_it(pjm_data):
    torch.manual_seed(0)
    config = ModelConfig(
        cell="gru", hidden_size=8, input_size=1, output_size=3, task_shape="many_to_one"
    )
    trainer = Trainer(
        build_model(config, seed=0), pjm_data, TrainConfig(max_steps=40, eval_every=20)
    )
    trainer.run()
    losses = trainer.history.frame()["loss"].to_numpy()
    assert np.isfinite(losses).all() and losses[-5:].mean() < losses[:5].mean()


def test_the_meta_reads_each_window_back_as_clock_times(pjm, pjm_data):
    meta = pjm_data.meta
    last = meta.last_rows["test"][::50]
    times = meta.clock(last)
    raw = pd.read_csv(PJM)
    by_time = dict(
        zip(pd.to_datetime(raw["Datetime"], format="%m/%d/%Y %H:%M"), raw["PJME_MW"], strict=False)
    )
    assert all(by_time[t] == v for t, v in zip(times, pjm.values[last, 0], strict=True))
    assert meta.units == ("MW",) and meta.name == PJM.name
