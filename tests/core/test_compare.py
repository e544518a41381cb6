"""The Compare page's numbers: budget sizes, PyTorch's parameter counts, time per step, peak
memory and the trivial baseline, each against a reference computed here."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.datasets.prepare import prepare_text
from rnn_core.evaluation.compare import (
    CellRun,
    compare_configs,
    compare_table,
    hidden_for_budget,
    seconds_per_step,
    trivial_baseline,
)
from rnn_core.live.memory_peak import peak_since, start_peak
from rnn_core.live.run import LiveRun
from rnn_core.live.spec import RunSpec
from rnn_core.live.states import RunState
from rnn_core.models import ModelConfig, build_model, count_parameters
from rnn_core.training.trainer import TrainConfig
from tests.waiting import run_to_end

CELLS = [("lstm", "tanh"), ("gru", "tanh"), ("rnn", "tanh")]


@pytest.mark.parametrize("layers", [1, 2])
def test_an_equal_budget_gives_each_cell_the_closest_count(layers):
    base = ModelConfig(input_size=3, output_size=2, hidden_size=40, num_layers=layers)
    configs = compare_configs(base, CELLS, equal_budget=True)
    budget = count_parameters(configs[0])
    assert configs[0].hidden_size == 40  # the first cell sets the budget
    for config in configs:
        count = count_parameters(config)
        for other in (config.hidden_size - 1, config.hidden_size + 1):  # no neighbour is closer
            neighbour = count_parameters(replace(config, hidden_size=other))
            assert abs(count - budget) <= abs(neighbour - budget)
        assert count == build_model(config, seed=0).parameter_count()
    sizes = [c.hidden_size for c in configs]
    assert sizes[0] < sizes[1] < sizes[2]  # fewer gates, more units for the same budget


def test_without_a_budget_every_cell_has_the_same_hidden_size():
    base = ModelConfig(hidden_size=17, layer_sizes=(), num_layers=1)
    assert [c.hidden_size for c in compare_configs(base, CELLS)] == [17, 17, 17]
    assert [c.cell for c in compare_configs(base, CELLS)] == ["lstm", "gru", "rnn"]


def test_hidden_for_budget_of_a_known_count():
    config = ModelConfig(cell="rnn", input_size=1, output_size=1)
    # RNN: H * (1 + H + 2) + H + 1 = H^2 + 4H + 1; H = 10 gives 141
    assert hidden_for_budget(config, 141) == 10


def test_the_table_holds_counts_losses_and_time_per_step():
    config = ModelConfig(cell="gru", hidden_size=8)
    history = pd.DataFrame(
        {
            "step": [1, 2, 3, 4, 5],
            "loss": [1.0, 0.9, 0.8, 0.7, 0.6],
            "val_loss": [np.nan, 0.5, np.nan, 0.55, np.nan],
            "seconds": [0.1, 0.3, 0.5, 0.7, 0.9],
        }
    )
    table = compare_table([CellRun("GRU", config, history, 5, "finished", 12.5)])
    row = table.iloc[0]
    assert row["parameters"] == build_model(config, 0).parameter_count()
    assert row["final validation loss"] == 0.55 and row["best validation loss"] == 0.5
    assert row["ms per step"] == pytest.approx(1e3 * (0.9 - 0.1) / 4)
    assert row["peak memory (MiB)"] == 12.5
    assert np.isnan(seconds_per_step(history.iloc[:1]))


def test_the_trivial_baseline_of_a_series_is_the_training_mean(small_sine_data):
    loss, said = trivial_baseline(small_sine_data)
    windows = small_sine_data.validation
    _, y = windows.batch(windows.evenly_spaced(4096))
    mean = small_sine_data.standardizer.mean  # predicting the training mean: 0 in z-scores
    truth = small_sine_data.standardizer.inverse(y.numpy())
    expected = np.mean(((truth - mean) / small_sine_data.standardizer.std) ** 2)
    assert loss == pytest.approx(expected, rel=1e-5)
    assert "training mean" in said


def test_the_trivial_baseline_of_text_is_the_class_frequencies():
    text = "abcab" * 200 + "cc" * 50
    data = prepare_text(text, 10)
    loss, _ = trivial_baseline(data)
    _, y_train = data.train.batch(data.train.evenly_spaced(4096))
    counts = np.bincount(y_train.reshape(-1).numpy(), minlength=data.output_size)
    p = (counts + 1) / (counts.sum() + data.output_size)
    _, y = data.validation.batch(data.validation.evenly_spaced(4096))
    logits = torch.log(torch.tensor(p)).expand(y.numel(), -1)
    expected = torch.nn.functional.cross_entropy(logits, y.reshape(-1)).item()
    assert loss == pytest.approx(expected, rel=1e-6)


def _peak_of_a_large_allocation() -> float | None:
    start = start_peak("cpu")
    block = np.ones(64 * 2**20, dtype=np.uint8)  # 64 MiB, touched
    assert block.sum() > 0
    return peak_since(start, "cpu")


def test_peak_memory_sees_a_large_allocation():
    """Measured in a fresh process, as a training process measures itself: in a long-lived one
    the allocator may reuse pages that are already resident, and the peak would not move."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        peak = pool.submit(_peak_of_a_large_allocation).result(timeout=120)
    assert peak is not None and peak >= 60  # Linux: /proc/self/clear_refs resets the peak


def test_a_training_process_reports_its_peak_memory(small_sine_data):
    spec = RunSpec(small_sine_data, ModelConfig(hidden_size=64), TrainConfig(max_steps=20), 0)
    run = LiveRun(spec)
    run.start()
    run_to_end(run)
    assert run.state == RunState.FINISHED
    assert run.peak_memory_mib is not None and run.peak_memory_mib > 0
    assert run.snapshot().peak_memory_mib == run.peak_memory_mib
