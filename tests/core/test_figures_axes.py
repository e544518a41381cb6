"""Log axes fitted to the data and ticked in one notation; compact tile numbers; one colour per
cell; loss charts in the unit the tiles use."""

import math

import numpy as np
import pandas as pd
import pytest

from rnn_core.figures.axes import compact, log_axis, log_range, log_ticks
from rnn_core.figures.colors import CELL_COLORS, OKABE_ITO, PREVIOUS_COLOR, cell_color
from rnn_core.figures.curves import compare_loss_figure, grad_norm_figure, loss_figure


def history(losses, every=5) -> pd.DataFrame:
    """A training history with these training losses and a validation loss every `every` steps."""
    steps = np.arange(1, len(losses) + 1, dtype=float)
    val = [loss if k % every == every - 1 else np.nan for k, loss in enumerate(losses)]
    return pd.DataFrame({"step": steps, "loss": losses, "val_loss": val, "grad_norm": losses})


def test_a_text_loss_fills_its_chart_and_keeps_start_and_baseline_in_view():
    """The issue's case: losses at 1.5 to 2.2 nats drawn on about 1 to 60 nats."""
    losses = np.concatenate([[3.4], np.linspace(2.2, 1.5, 199)])  # nats
    bits = 1 / math.log(2)
    fig = loss_figure(history(losses), "bits/char", baseline=2.9, scale=bits)
    low, high = fig.layout.yaxis.range
    drawn = np.log10(losses * bits)
    assert low < drawn.min() and max(drawn.max(), math.log10(2.9 * bits)) < high
    assert (drawn.max() - drawn.min()) / (high - low) > 0.85  # the curves use the height
    np.testing.assert_allclose(fig.data[0].y, losses * bits, rtol=1e-6)  # in bits, as tiles
    assert fig.layout.yaxis.title.text == "loss (bits/char, log scale)"
    # the baseline's label sits on its line: Plotly places it by log10 on a log axis
    (label,) = fig.layout.annotations
    assert label.text == "trivial baseline" and label.y == pytest.approx(math.log10(2.9 * bits))
    assert list(fig.layout.yaxis.ticktext) == [
        "2.5",
        "3",
        "3.5",
        "4",
        "4.5",
        "5",
    ]  # no minor labels


def test_wide_axes_are_labelled_at_decades_in_powers_of_ten():
    values, labels = log_ticks(-4.1, 0.2)
    assert values == [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    assert labels == ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"]
    # an exploding run: 10⁻⁵ to 10³⁵, every 6th decade, 10⁰ among them, one notation
    values, labels = log_ticks(-5.2, 35.3)
    assert labels == ["10⁰", "10⁶", "10¹²", "10¹⁸", "10²⁴", "10³⁰"]
    assert all(label.startswith("10") for label in log_ticks(-5.2, 35.3)[1])


def test_narrow_axes_get_round_numbers_in_one_notation():
    assert log_ticks(math.log10(0.015), math.log10(0.6))[1] == ["0.02", "0.05", "0.1", "0.2", "0.5"]
    assert log_ticks(math.log10(1.4), math.log10(3.1)) == (
        [1.5, 2.0, 2.5, 3.0],
        ["1.5", "2", "2.5", "3"],
    )
    # below 0.001 every label of the axis is written as a power of ten with its factor
    assert log_ticks(math.log10(7.5e-4), math.log10(1.25e-3))[1] == [
        "8×10⁻⁴",
        "9×10⁻⁴",
        "10⁻³",
        "1.1×10⁻³",
        "1.2×10⁻³",
    ]


def test_log_range_holds_every_curve_and_ignores_what_a_log_axis_cannot_draw():
    low, high = log_range([[0.5, np.nan, 0.0, -1.0, 2.0]], include=[None, 8.0])
    assert low < math.log10(0.5) and math.log10(8.0) < high
    assert log_range([[]], include=[None]) is None
    assert log_axis([[]]) == {"type": "log", "exponentformat": "power", "dtick": 1}
    flat = log_range([[1.0, 1.0]])
    assert flat[1] - flat[0] > 0.05  # a flat curve still gets a range around it


def test_compact_numbers_fit_a_tile():
    assert [compact(v) for v in (0.0009381, 0.9974, 1.5234, 12345.6, 1.2e7, 0.0)] == [
        "9.38e-4",
        "0.9974",
        "1.523",
        "12346",
        "1.2e7",
        "0",
    ]
    assert compact(9.996e-4) == "1e-3" and float(compact(0.0009381)) == pytest.approx(9.38e-4)
    assert all(len(compact(v)) <= 7 for v in np.logspace(-9, 9, 50))


def test_one_colour_per_cell_everywhere():
    assert len(set(CELL_COLORS.values())) == 4
    assert set(CELL_COLORS.values()) <= set(OKABE_ITO.values())  # colour-blind-safe palette
    assert cell_color("RNN (tanh), no clipping") == cell_color("RNN") == CELL_COLORS["RNN (tanh)"]
    assert cell_color("RNN (relu)") == CELL_COLORS["RNN (relu)"]
    assert cell_color("layer 1", 0) != cell_color("layer 2", 1)
    runs = {label: history([1.0, 0.5, 0.25, 0.2, 0.1]) for label in CELL_COLORS}
    runs["LSTM, no clipping"] = history([1.0, 10.0, 1e3, 1e6, 1e9])
    fig = compare_loss_figure(runs, "MSE", baseline=1.0)
    validation = [t for t in fig.data if t.name.endswith(" validation")]
    for trace in validation:
        assert trace.line.color == cell_color(trace.name)
    unclipped = [t for t in validation if t.name.startswith("LSTM, no clipping")]
    assert unclipped and all(t.line.dash == "dash" for t in unclipped)  # the run without clipping
    low, high = fig.layout.yaxis.range
    assert low < -1 and high > 9  # the exploding run is in view, to its top
    assert {t.legendgroup for t in fig.data if t.showlegend is not False} == set(runs)


def test_a_run_that_diverged_before_its_first_evaluation_keeps_a_legend_entry():
    early = pd.DataFrame(
        {"step": [1.0, 2.0], "loss": [1.0, 1e30], "val_loss": [np.nan] * 2, "grad_norm": [1, 1]}
    )
    fig = compare_loss_figure({"RNN (tanh), no clipping": early})
    train, val = fig.data
    assert train.showlegend is True and val.showlegend is False


def test_rewind_draws_the_previous_run_faint_and_the_gradient_clip_label_on_its_line():
    previous = history([1.0, 0.8, 0.6, 0.5, 0.4])
    fig = loss_figure(history([1.0, 0.5, 0.2, 0.1, 0.05]), previous=previous)
    old = fig.data[0]
    assert old.name == "previous run (validation)" and old.line.color == PREVIOUS_COLOR
    assert fig.layout.yaxis.range[1] > 0  # the previous curve is in view too (it starts at 1)
    grad = grad_norm_figure(history([3.0, 2.0, 1.0]), clip_norm=0.5)
    (label,) = grad.layout.annotations
    assert label.text == "clip at 0.5" and label.y == pytest.approx(math.log10(0.5))
