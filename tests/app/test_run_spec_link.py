"""A run's own settings: the link a run stores is the link of its spec (model, training, seed)
over the session's data settings, and the Train page's own config builders read it back as the
same ModelConfig and TrainConfig, whichever page made the configs (Train, Compare, Sweep)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.datasets.prepare import prepare_series, prepare_text
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.datasets.text import bracket_corpus
from rnn_core.evaluation.compare import compare_configs
from rnn_core.sweeps.spec import KNOBS, SweepSpec
from rnn_core.training.trainer import TrainConfig
from tests.app.conftest import RERUN_S
from ui.session.controls import config_for_data
from ui.session.settings import SETTINGS, default, settings_from_link
from ui.session.spec_link import changed_knobs, data_keys, link_of_spec, model_values, spec_values

SINE = prepare_series(make_sine(SineConfig(num_series=4, length=120)), seq_len=10)
ONE = prepare_series(make_sine(SineConfig(num_series=4, length=120)), 10, "many_to_one")
TEXT = prepare_text(bracket_corpus(3000), seq_len=16)
DEFAULTS = {key: default(key) for key in SETTINGS}


def pages_configs(link, data):
    """The Train page's configs for a session whose settings a link set (a script run)."""
    import streamlit as st

    from ui.session.controls import model_config, train_config
    from ui.session.settings import SETTINGS, default, settings_from_link
    from ui.session.state import PERSIST, seed

    values, problems = settings_from_link(link)
    for key in SETTINGS:
        st.session_state[PERSIST + key] = values.get(key, default(key))
    st.session_state["built"] = (model_config(data), train_config(data), seed(), problems)


def built_by_train(link, data):
    at = AppTest.from_function(pages_configs, args=(link, data), default_timeout=RERUN_S).run()
    assert not at.exception, [e.message for e in at.exception]
    return at.session_state["built"]


def sweep_runs():
    """A sweep's runs over Train's defaults: hidden 16 at learning rate 0.03, and so on."""
    base = config_for_data(SINE, hidden_size=32)
    knobs = (("Learning rate", (0.03,)), ("Hidden size", (16,)))
    spec = SweepSpec(knobs, (3,), base, TrainConfig(max_steps=40))
    more = (("Cell", ("RNN (relu)",)), ("Layers", (3,)))
    other = SweepSpec(more, (0,), base, TrainConfig(max_steps=40, clip_grad_norm=None))
    return [(r.model_config, r.train_config, r.seed) for r in spec.runs() + other.runs()]


def compare_runs():
    """Compare's runs as its page makes them: GRU and RNN (tanh), SGD, no clipping, 2 seeds."""
    base = config_for_data(SINE, hidden_size=24, num_layers=2, recurrent_init="orthogonal")
    configs = compare_configs(base, [("gru", "tanh"), ("rnn", "tanh")], equal_budget=True)
    train = TrainConfig(
        optimizer="sgd", learning_rate=0.003, batch_size=32, clip_grad_norm=None, max_steps=50
    )
    return [(c, replace(train, seed=s), s) for c in configs for s in (7, 8)]


TRAIN_CASES = [
    (config_for_data(SINE), TrainConfig(), 0),
    (
        config_for_data(
            SINE, cell="rnn", nonlinearity="relu", num_layers=2, layer_sizes=(24, 12), dropout=0.25
        ),
        TrainConfig(
            schedule="step",
            schedule_gamma=0.3,
            schedule_step_size=50,
            weight_decay=1e-4,
            clip_grad_norm=None,
            early_stopping_patience=7,
            max_steps=123,
            seed=42,
        ),
        42,
    ),
    (
        config_for_data(ONE, cell="gru", bidirectional=True, recurrent_init="orthogonal"),
        TrainConfig(optimizer="sgd", schedule="plateau", clip_grad_norm=2.5, seed=9),
        9,
    ),
]


@pytest.mark.parametrize(
    ("data", "model", "train", "seed"),
    [(SINE, *case) for case in TRAIN_CASES[:2]]
    + [(ONE, *TRAIN_CASES[2])]
    + [(SINE, *run) for run in sweep_runs() + compare_runs()],
)
def test_the_link_of_a_spec_builds_the_same_configs_on_train(data, model, train, seed):
    link = link_of_spec(DEFAULTS, model, train, seed)
    built_model, built_train, built_seed, problems = built_by_train(link, data)
    assert problems == []
    assert built_model == model and built_train == train and built_seed == seed


def test_a_text_run_with_truncated_bptt_builds_the_same_configs():
    values = {**DEFAULTS, "source_kind": "Text"}
    model = config_for_data(TEXT, hidden_size=20)
    train = TrainConfig(truncated_bptt=True, batch_size=8, max_steps=30, seed=4)
    link = link_of_spec(values, model, train, 4)
    assert link["source_kind"] == ["Text"] and link["tbptt"] == ["true"]
    built_model, built_train, built_seed, problems = built_by_train(link, TEXT)
    assert (built_model, built_train, built_seed, problems) == (model, train, 4, [])


def test_the_link_keeps_the_sessions_data_and_nothing_of_other_pages():
    values = {
        **DEFAULTS,
        "sine.freqs": "0.5, 2",
        "seq_len": 30,
        "hidden": 99,  # Train's knob now: the run's own size is stored instead
        "lr": 0.5,
        "compare.hidden": 77,  # Compare's knob: not a setting of the run
    }
    model, train, seed = sweep_runs()[0]
    link = link_of_spec(values, model, train, seed)
    back, problems = settings_from_link(link)
    assert problems == []
    assert back["sine.freqs"] == "0.5, 2" and back["seq_len"] == 30
    assert back["hidden"] == 16 and back["lr"] == 0.03 and back["seed"] == 3
    assert "compare.hidden" not in back
    assert set(back) <= {*data_keys(), *spec_values(values, model, train, seed)}


def test_changed_knobs_names_each_knob_with_its_two_values():
    before = {**model_values(config_for_data(SINE, hidden_size=16)), "seed": 0}
    after = {**model_values(config_for_data(SINE, hidden_size=32, cell="gru")), "seed": 0}
    assert changed_knobs(before, after) == [("Cell", "LSTM", "GRU"), ("Hidden size", 16, 32)]
    assert changed_knobs(before, before) == []


def test_every_sweep_knob_is_a_setting_the_link_holds():
    base = config_for_data(SINE)
    for name, knob in KNOBS.items():
        value = knob.parse(knob.example)[0]
        model, train = knob.apply(base, TrainConfig(), value)
        back, problems = settings_from_link(link_of_spec(DEFAULTS, model, train, 0))
        assert problems == [], name
