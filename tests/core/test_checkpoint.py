"""Checkpoints: a round trip that changes nothing; every foreign file refused, never run."""

import io
import json
import pickle
from dataclasses import asdict

import numpy as np
import pytest
import torch

from rnn_core.checkpoint import (
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
    standardizer_from_dict,
)
from rnn_core.datasets.windows import Standardizer
from rnn_core.models import ModelConfig, build_model
from tests.core.checkpoint_shared import torch_bytes

STANDARDIZER = Standardizer(
    mean=np.array([0.1, -2.5, 9.81], dtype=np.float32),
    std=np.array([1.0, 0.3, 0.07], dtype=np.float32),
)
EXTRA = {
    "feature_names": ["ax", "ay", "az"],
    "targets": ("roll",),
    "seq_len": 50,
    "task": "forecast",
}


def planted(path):
    """What a hostile pickle would run: leave a file behind."""
    with open(path, "w") as handle:
        handle.write("code ran")


class Hostile:
    """Unpickling this calls `planted` with a path: the classic pickle code-execution trick."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return planted, (self.path,)


@pytest.mark.parametrize(
    "config",
    [
        ModelConfig(cell="lstm", input_size=3, output_size=3, hidden_size=8, num_layers=2),
        ModelConfig(
            cell="gru", input_size=3, output_size=2, hidden_size=5, recurrent_init="orthogonal"
        ),
        ModelConfig(
            cell="rnn",
            nonlinearity="relu",
            input_size=3,
            output_size=4,
            bidirectional=True,
            task_shape="many_to_one",
        ),
        ModelConfig(cell="lstm", input_size=3, output_size=3, num_layers=2, layer_sizes=(64, 32)),
        ModelConfig(
            cell="gru",
            input_size=3,
            output_size=2,
            num_layers=3,
            layer_sizes=(8, 5, 3),
            dropout=0.2,
            bidirectional=True,
            task_shape="many_to_one",
            recurrent_init="orthogonal",
        ),
    ],
)
def test_round_trip_gives_the_same_model_and_standardizer(config):
    model = build_model(config, seed=3)
    outputs = config.output_size  # the checkpoint's statistics are of the targets
    stats = Standardizer(
        mean=np.linspace(-2.5, 9.81, outputs, dtype=np.float32),
        std=np.linspace(0.07, 1.0, outputs, dtype=np.float32),
    )
    data = save_checkpoint(model, stats, EXTRA)
    loaded, standardizer, extra = load_checkpoint(data)
    assert loaded.config == config and not loaded.training
    x = torch.randn(4, 7, 3)
    torch.testing.assert_close(loaded(x)[0], model.eval()(x)[0], rtol=0, atol=0)
    np.testing.assert_array_equal(standardizer.mean, stats.mean)
    np.testing.assert_array_equal(standardizer.std, stats.std)
    assert standardizer.mean.dtype == np.float32
    assert extra == {**EXTRA, "targets": ["roll"]}  # stored as JSON: tuples come back as lists


def test_round_trip_of_a_text_model_without_standardizer():
    config = ModelConfig(cell="gru", vocab_size=11, output_size=11, hidden_size=6)
    model = build_model(config, seed=0)
    loaded, standardizer, extra = load_checkpoint(save_checkpoint(model, None))
    tokens = torch.randint(0, 11, (2, 9))
    torch.testing.assert_close(loaded(tokens)[0], model.eval()(tokens)[0], rtol=0, atol=0)
    assert standardizer is None and extra == {}


def test_checkpoint_is_a_plain_dict_readable_weights_only():
    model = build_model(ModelConfig(hidden_size=4), seed=0)
    payload = torch.load(io.BytesIO(save_checkpoint(model, STANDARDIZER)), weights_only=True)
    assert payload["format"] == "rnn-explorer-model" and payload["version"] == 1
    assert payload["config"] == asdict(model.config)
    assert payload["standardizer"] == STANDARDIZER.to_dict()


def test_extra_must_be_json():
    model = build_model(ModelConfig(hidden_size=4), seed=0)
    with pytest.raises(ValueError, match="JSON"):
        save_checkpoint(model, None, {"seq_len": np.int64(5)})


@pytest.mark.parametrize("wrap", ["pickle", "torch"])
def test_a_pickle_that_runs_code_is_refused_and_never_runs(tmp_path, wrap):
    marker = tmp_path / "marker.txt"
    hostile = {"format": "rnn-explorer-model", "version": 1, "config": Hostile(marker)}
    data = pickle.dumps(hostile, protocol=2) if wrap == "pickle" else torch_bytes(hostile)
    with pytest.raises(CheckpointError, match="not a model saved by RNN Explorer") as caught:
        load_checkpoint(data)
    assert not marker.exists()
    assert "planted" in str(caught.value.__cause__)  # refused for naming a callable
    # The payload is live: an unsafe load would have run it.
    if wrap == "pickle":
        pickle.loads(data)
    else:
        torch.load(io.BytesIO(data), weights_only=False)
    assert marker.read_text() == "code ran"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        np.random.default_rng(0).bytes(4096),
        b"time,ax,ay,az\n0,0,0,9.81\n",
        torch_bytes(torch.zeros(3, 3)),
        torch_bytes({"format": "something-else", "version": 1}),
        torch_bytes([1, 2, 3]),
    ],
    ids=["empty", "random", "csv", "bare-tensor", "other-format", "list"],
)
def test_foreign_files_are_refused(data):
    with pytest.raises(CheckpointError, match="download one from the Evaluate page"):
        load_checkpoint(data)


def checkpoint_dict(**changes):
    """A valid checkpoint's dict, with some entries replaced."""
    model = build_model(ModelConfig(hidden_size=4), seed=0)
    one_output = Standardizer(mean=STANDARDIZER.mean[:1], std=STANDARDIZER.std[:1])
    payload = torch.load(io.BytesIO(save_checkpoint(model, one_output)), weights_only=True)
    return {**payload, **changes}


def test_layer_sizes_stored_as_a_list_load():
    """A config that went through JSON (a list, not a tuple) loads to the same model."""
    config = ModelConfig(
        cell="lstm", input_size=3, output_size=3, num_layers=2, layer_sizes=(64, 32)
    )
    model = build_model(config, seed=1).eval()
    payload = torch.load(io.BytesIO(save_checkpoint(model, None)), weights_only=True)
    assert payload["config"]["layer_sizes"] == (64, 32)
    payload["config"] = json.loads(json.dumps(payload["config"]))
    assert payload["config"]["layer_sizes"] == [64, 32]
    loaded, _, _ = load_checkpoint(torch_bytes(payload))
    assert loaded.config == config and loaded.config.layer_sizes == (64, 32)
    x = torch.randn(2, 6, 3)
    torch.testing.assert_close(loaded(x)[0], model(x)[0], rtol=0, atol=0)


def test_a_checkpoint_from_before_layer_sizes_loads():
    payload = checkpoint_dict()
    del payload["config"]["layer_sizes"]
    loaded, _, _ = load_checkpoint(torch_bytes(payload))
    assert loaded.config == ModelConfig(hidden_size=4) and loaded.config.hidden_sizes == (4,)
    torch.testing.assert_close(loaded.state_dict(), payload["state_dict"], rtol=0, atol=0)


def test_a_newer_version_is_refused_with_advice():
    with pytest.raises(CheckpointError, match="save the model again"):
        load_checkpoint(torch_bytes(checkpoint_dict(version=2)))


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"config": {**asdict(ModelConfig()), "hidden_size": 0}}, "hidden_size must be between"),
        ({"config": {**asdict(ModelConfig()), "cell": "transformer"}}, "Cell type must be one of"),
        ({"config": {**asdict(ModelConfig()), "wings": 2}}, "settings are unknown"),
        ({"config": "lstm"}, "settings are not a dict"),
        ({"config": {**asdict(ModelConfig()), "layer_sizes": [8, 4]}}, "one size per layer"),
        ({"state_dict": {}}, "weights do not fit"),
        ({"state_dict": {"rnn.weight_ih_l0": [1.0]}}, "not a set of tensors"),
        ({"standardizer": {"mean": [0.0], "std": [0.0]}}, "std above 0"),
        ({"extra": [1]}, "extra information"),
    ],
    ids=[
        "bad-size",
        "bad-cell",
        "unknown-field",
        "config-not-dict",
        "layer-sizes-length",
        "no-weights",
        "list-weights",
        "zero-std",
        "extra-list",
    ],
)
def test_damaged_checkpoints_are_refused(changes, match):
    with pytest.raises(CheckpointError, match=match) as caught:
        load_checkpoint(torch_bytes(checkpoint_dict(**changes)))
    assert "Download the model again" in str(caught.value)


def test_weights_that_do_not_fit_the_config_are_refused():
    small = build_model(ModelConfig(hidden_size=4), seed=0)
    large = build_model(ModelConfig(hidden_size=16), seed=0)
    payload = checkpoint_dict(config=asdict(small.config), state_dict=large.state_dict())
    with pytest.raises(CheckpointError, match=r"weight_ih_l0 is \(64, 1\), its settings need"):
        load_checkpoint(torch_bytes(payload))


@pytest.mark.parametrize("hidden", [1_000_000, 12_000, 513])
def test_an_edited_size_is_refused_before_a_model_is_built(hidden, monkeypatch):
    import rnn_core.checkpoint

    def no_build(*args, **kwargs):
        raise AssertionError("a model was built")

    model = build_model(ModelConfig(hidden_size=8), seed=0)
    config = {**asdict(model.config), "hidden_size": hidden}
    payload = checkpoint_dict(config=config, state_dict=model.state_dict())
    monkeypatch.setattr(rnn_core.checkpoint, "build_model", no_build)
    with pytest.raises(CheckpointError, match="hidden_size must be between 1 and 512"):
        load_checkpoint(torch_bytes(payload))


def test_a_size_within_the_bounds_that_the_weights_do_not_have_is_refused_unbuilt(monkeypatch):
    import rnn_core.checkpoint

    monkeypatch.setattr(rnn_core.checkpoint, "build_model", None)  # calling it would fail
    model = build_model(ModelConfig(hidden_size=8, num_layers=2), seed=0)
    config = {**asdict(model.config), "hidden_size": 500}
    payload = checkpoint_dict(config=config, state_dict=model.state_dict())
    with pytest.raises(CheckpointError, match="its settings need"):
        load_checkpoint(torch_bytes(payload))
    state = dict(model.state_dict())
    state["rnn.extra_l9"] = state.pop("rnn.weight_hh_l1")
    payload = checkpoint_dict(config=asdict(model.config), state_dict=state)
    with pytest.raises(CheckpointError, match="missing rnn.weight_hh_l1; unknown rnn.extra_l9"):
        load_checkpoint(torch_bytes(payload))


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


def test_standardizer_from_dict_inverts_to_dict():
    back = standardizer_from_dict(STANDARDIZER.to_dict())
    np.testing.assert_array_equal(back.mean, STANDARDIZER.mean)
    np.testing.assert_array_equal(back.std, STANDARDIZER.std)
    with pytest.raises(ValueError, match="same length"):
        standardizer_from_dict({"mean": [0.0, 1.0], "std": [1.0]})
    with pytest.raises(ValueError, match="'mean' and 'std'"):
        standardizer_from_dict({"mean": [0.0]})
