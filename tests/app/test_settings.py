"""One vocabulary for settings: each setting's label, values and default in
`ui.session.settings`, the values its choices stand for accepted by the core, the source kinds
one type, and one builder of a ModelConfig from data."""

from __future__ import annotations

import pytest

from rnn_core.datasets.imu.table import TRUTH_INPUT
from rnn_core.evaluation.baselines import ATTITUDE_METHODS
from rnn_core.models import ModelConfig
from rnn_core.training.trainer import TrainConfig
from ui.session.controls import config_for_data
from ui.session.settings import SETTINGS, Setting
from ui.session.source import source_kinds
from ui.sources.kinds import ImuSource, MemorySource, SineSource
from ui.sources.series import SeriesSource
from ui.sources.text import TextSource


def test_every_setting_has_a_label_and_every_choice_a_value():
    for key, spec in SETTINGS.items():
        assert spec.label, key
        if spec.values is not None:
            assert tuple(spec.values) == spec.choices, key
        if spec.choices is not None:
            defaults = spec.default if isinstance(spec.default, list) else [spec.default]
            assert all(default in spec.choices for default in defaults), key


def test_a_choice_gives_the_core_its_value_and_a_list_one_per_item():
    assert SETTINGS["cell"].value("RNN (relu)") == ("rnn", "relu")
    assert SETTINGS["compare.cells"].value(["LSTM", "GRU"]) == [("lstm", "tanh"), ("gru", "tanh")]
    assert SETTINGS["compare.init"].value("Orthogonal") == "orthogonal"
    assert SETTINGS["optimizer"].value("Adam") == "adam"
    assert SETTINGS["unit"].value("epochs") == "epochs"  # labels that are their own values
    assert Setting(3).value(3) == 3


@pytest.mark.parametrize("key", ["cell", "compare.cells"])
def test_every_cell_value_is_a_cell_of_the_core(key):
    for cell, nonlinearity in SETTINGS[key].values.values():
        assert ModelConfig(cell=cell, nonlinearity=nonlinearity).cell == cell


@pytest.mark.parametrize("key", ["recurrent_init", "compare.init"])
def test_every_initialisation_value_is_one_of_the_core(key):
    for value in SETTINGS[key].values.values():
        assert ModelConfig(recurrent_init=value).recurrent_init == value


def test_every_optimizer_and_schedule_value_is_one_of_the_trainer():
    for key in ("optimizer", "compare.optimizer"):
        for value in SETTINGS[key].values.values():
            assert TrainConfig(optimizer=value).optimizer == value
    for value in SETTINGS["schedule"].values.values():
        assert TrainConfig(schedule=value).schedule == value


def test_the_attitude_choices_are_the_baselines_methods_and_the_truth():
    values = list(SETTINGS["imu.attitude"].values.values())
    assert set(values) == {*ATTITUDE_METHODS, TRUTH_INPUT} and len(values) == len(set(values))


def test_every_source_kind_the_data_page_offers_is_a_kind_of_source():
    KINDS = source_kinds()  # noqa: N806 (the kinds, as the session finds them)
    assert list(SETTINGS["source_kind"].values.values()) == list(KINDS)
    assert [kind.kind for kind in KINDS.values()] == list(KINDS)
    assert list(KINDS.values()) == [SineSource, TextSource, ImuSource, MemorySource, SeriesSource]
    assert [kind.own_length for kind in KINDS.values()] == [False, False, False, True, False]
    assert all(kind.fixed_shape for kind in (TextSource, ImuSource, MemorySource, SeriesSource))


@pytest.mark.parametrize("which", ["sine_data", "text_data"])
def test_a_config_for_data_takes_its_sizes_shape_and_vocabulary_from_the_data(which, request):
    data = request.getfixturevalue(which)
    config = config_for_data(data, cell="gru", hidden_size=7, num_layers=2)
    expected = ModelConfig(
        cell="gru",
        hidden_size=7,
        num_layers=2,
        input_size=data.input_size,
        output_size=data.output_size,
        task_shape=data.task_shape,
        vocab_size=data.input_size if data.is_text else None,
    )
    assert config == expected
    assert (config.vocab_size is not None) == (which == "text_data")
