"""A sweep's grid: values typed by a person, sentences for bad ones, and the bounded run count."""

import pytest

from rnn_core.sweeps.spec import KNOBS, MAX_SWEEP_RUNS, MAX_VALUES, seeds_from
from tests.core.sweep_data import tiny_sweep


def test_values_are_read_in_order_without_repeats():
    assert KNOBS["Learning rate"].parse("0.001, 0.01; 1e-3") == (0.001, 0.01)
    assert KNOBS["Hidden size"].parse(" 16,64 ,") == (16, 64)
    assert KNOBS["Cell"].parse("lstm, GRU, rnn (relu)") == ("LSTM", "GRU", "RNN (relu)")


@pytest.mark.parametrize(
    ("knob", "text", "said"),
    [
        ("Learning rate", "", "Type at least one value for Learning rate"),
        ("Learning rate", "0.01, abc", "'abc' is not a number"),
        ("Learning rate", "20", "outside 1e-05 to 10"),
        ("Learning rate", "nan", "outside"),
        ("Hidden size", "16.5", "'16.5' is not a whole number"),
        ("Hidden size", "600", "outside 1 to 512"),
        ("Cell", "transformer", "'transformer' is not a choice of Cell: use LSTM, GRU"),
        ("Hidden size", ", ".join(str(v) for v in range(1, MAX_VALUES + 2)), "at most 8"),
    ],
)
def test_a_bad_value_gets_a_sentence(knob, text, said):
    with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
        KNOBS[knob].parse(text)


def test_every_setting_trains_once_per_seed_with_its_knobs_applied():
    spec = tiny_sweep()
    runs = spec.runs()
    assert len(runs) == 2 * 2 * 3
    assert [r.index for r in runs] == list(range(12))
    assert [(r.setting, r.seed) for r in runs[:4]] == [
        ((0.01, 4), 0),
        ((0.01, 4), 1),
        ((0.01, 4), 2),
        ((0.01, 8), 0),
    ]
    for run in runs:
        assert run.train_config.learning_rate == run.setting[0]
        assert run.model_config.hidden_size == run.setting[1]
        assert run.train_config.seed == run.seed  # batch order follows the seed too
    assert runs[3].label == "0.01 · 8"


def test_a_cell_knob_sets_cell_and_nonlinearity():
    spec = tiny_sweep(knobs=(("Cell", ("LSTM", "RNN (relu)")),), seeds=(0,))
    models = [r.model_config for r in spec.runs()]
    assert [(m.cell, m.nonlinearity) for m in models] == [("lstm", "tanh"), ("rnn", "relu")]


@pytest.mark.parametrize(
    ("knobs", "seeds", "said"),
    [
        ((("Cell", ("LSTM",)), ("Cell", ("GRU",))), (0,), "two different knobs"),
        ((("Cell", ("LSTM",)), ("Layers", (1,)), ("Steps", (5,))), (0,), "at most 2 knobs"),
        ((("Learning rate", (0.01,)),), tuple(range(21)), "from 1 to 20 seeds"),
        (
            (("Hidden size", tuple(range(1, 9))), ("Steps", tuple(range(1, 9)))),
            (0, 1, 2, 3),
            f"would start 256 runs; at most {MAX_SWEEP_RUNS}",
        ),
    ],
)
def test_a_sweep_past_its_bounds_gets_a_sentence(knobs, seeds, said):
    with pytest.raises(ValueError, match=said):
        tiny_sweep(knobs=knobs, seeds=seeds)


def test_seeds_are_consecutive_and_bounded():
    assert seeds_from(7, 3) == (7, 8, 9)
    with pytest.raises(ValueError, match="from 1 to 20 seeds"):
        seeds_from(0, 0)
