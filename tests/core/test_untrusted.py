"""Values from a file a person sent are checked by type, shape and size before anything is built
from them: a saved model's standardizer and extra information, its IMU settings."""

from __future__ import annotations

import io
import math
import tracemalloc

import numpy as np
import pytest
import torch

from rnn_core.checkpoint import (
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
    standardizer_from_dict,
)
from rnn_core.datasets.imu.prepare import prepare_imu
from rnn_core.evaluation.imu import imu_model_extra, saved_imu_model
from rnn_core.models import ModelConfig, build_model
from rnn_core.untrusted import MAX_ITEMS, Untrusted, check_tree, finite, numbers, whole
from tests.core.checkpoint_shared import torch_bytes
from tests.core.test_imu_evaluate import sim  # noqa: F401 (a fixture)


def self_nested(levels: int) -> list:
    """A list that holds the same list twice, `levels` deep: 2**levels leaves through shared
    references, a few hundred bytes as a pickle."""
    nested: list = [0.0]
    for _ in range(levels):
        nested = [nested, nested]
    return nested


def test_a_walk_over_shared_references_stops_at_its_bound():
    tracemalloc.start()
    with pytest.raises(Untrusted, match=f"more than {MAX_ITEMS:,} values"):
        check_tree(self_nested(30), "the value")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50_000_000  # 2**30 leaves were never expanded


@pytest.mark.parametrize(
    "value, said",
    [
        ({1: "a"}, "key that is not a short text"),
        ({"a": torch.zeros(2)}, "holds a Tensor"),
        ({"a": "x" * 20_000}, "text of more than"),
        (self_nested(25), "more than"),
    ],
)
def test_a_tree_of_other_values_is_refused(value, said):
    with pytest.raises(Untrusted, match=said):
        check_tree(value, "the value")


def test_deep_nesting_is_refused():
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(Untrusted, match="nested more than"):
        check_tree(deep, "the value")


def test_numbers_take_only_a_flat_list_of_finite_numbers_of_the_right_length():
    assert numbers([1, 2.5], "x", 3) == [1.0, 2.5]
    for value in ([[1.0]], [True], ["1"], [math.nan], [10**400], "12", None, [1.0] * 4):
        with pytest.raises(Untrusted, match="flat list"):
            numbers(value, "x", 3)
    with pytest.raises(Untrusted, match="not 2"):
        numbers([1.0, 2.0], "x", 3, length=3)


def test_whole_and_finite_numbers():
    assert whole(5, "n", 0, 10) == 5
    for value in (True, 5.0, -1, 11, "5", 10**30):
        with pytest.raises(Untrusted, match="whole number from 0 to 10"):
            whole(value, "n", 0, 10)
    assert finite(50, "rate", 0.0, above=True) == 50.0
    for value in (math.nan, math.inf, 0.0, -3.0, "50", None, 10**400):
        with pytest.raises(Untrusted, match="finite number above 0"):
            finite(value, "rate", 0.0, above=True)


def test_a_standardizer_of_shared_nested_lists_is_refused_before_an_array_is_built():
    crafted = {"mean": self_nested(40), "std": self_nested(40)}
    with pytest.raises(Untrusted, match="flat list"):
        standardizer_from_dict(crafted, 1)
    with pytest.raises(Untrusted, match="2 finite numbers, not 3"):
        standardizer_from_dict({"mean": [0.0, 1.0, 2.0], "std": [1.0] * 3}, 2)
    back = standardizer_from_dict({"mean": [0.5], "std": [2.0]}, 1)
    assert back.mean.dtype == np.float32 and back.std.tolist() == [2.0]


def crafted_checkpoint(**changes) -> bytes:
    model = build_model(ModelConfig(hidden_size=4), seed=0)
    payload = torch.load(io.BytesIO(save_checkpoint(model, None)), weights_only=True)
    return torch_bytes({**payload, **changes})


@pytest.mark.parametrize(
    "changes, said",
    [
        ({"standardizer": {"mean": self_nested(40), "std": self_nested(40)}}, "flat list"),
        ({"standardizer": {"mean": [0.0, 1.0], "std": [1.0, 1.0]}}, "1 finite numbers, not 2"),
        ({"extra": {"imu": self_nested(40)}}, "more than"),
        ({"extra": {"imu": torch.zeros(3)}}, "not plain values"),
    ],
)
def test_a_crafted_checkpoint_is_refused_with_a_sentence(changes, said):
    data = crafted_checkpoint(**changes)
    assert len(data) < 30_000  # a small file
    with pytest.raises(CheckpointError, match=said) as caught:
        load_checkpoint(data)
    assert str(caught.value).startswith("This model file is damaged or was edited")


@pytest.fixture
def saved(sim):  # noqa: F811
    data = prepare_imu(sim, 12)
    config = ModelConfig(input_size=data.input_size, output_size=data.output_size, hidden_size=4)
    model = build_model(config, seed=0)
    _, standardizer, extra = load_checkpoint(
        save_checkpoint(model, data.standardizer, imu_model_extra(data, sim))
    )
    return standardizer, extra, config


@pytest.mark.parametrize("rate", [math.nan, math.inf, 0.0, -50.0, "50", None])
def test_a_saved_model_with_an_impossible_sample_rate_is_refused(saved, rate):
    standardizer, extra, config = saved
    crafted = {"imu": {**extra["imu"], "sample_rate": rate}}
    with pytest.raises(ValueError, match=r"sample_rate \(Hz\) must be a finite number above 0"):
        saved_imu_model(standardizer, crafted, config)


@pytest.mark.parametrize(
    "key, value, said",
    [
        ("inputs", ["ax", "<script>"], "inputs must be among"),
        ("inputs", "ax", "list of at most"),
        ("targets", [], "at least one input and one target"),
        ("horizon", 10**9, "horizon must be a whole number"),
        ("seq_len", 1.5, "seq_len must be a whole number"),
        ("classify", "no", "true or false"),
        ("input_standardizer", {"mean": [0.0], "std": [1.0]}, "finite numbers, not 1"),
        ("class_names", self_nested(30), "each of class_names must be a text"),
        (
            "trained_on",
            {"fingerprint": "f", "fractions": [0.5, 2, 0.1], "test_at": None},
            "at most 1",
        ),
    ],
)
def test_crafted_imu_settings_are_refused_with_a_sentence(saved, key, value, said):
    standardizer, extra, config = saved
    crafted = {"imu": {**extra["imu"], key: value}}
    with pytest.raises(ValueError, match=said) as caught:
        saved_imu_model(standardizer, crafted, config)
    assert "save the model again" in str(caught.value)


def test_a_model_that_reads_other_values_than_its_settings_is_refused(saved):
    standardizer, extra, config = saved
    other = ModelConfig(input_size=config.input_size + 1, output_size=config.output_size)
    with pytest.raises(ValueError, match="the model reads"):
        saved_imu_model(standardizer, extra, other)
    assert saved_imu_model(standardizer, extra, config).sample_rate > 0
