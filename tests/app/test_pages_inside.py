"""Inside the cell and Gradients through time under AppTest, numbers checked against PyTorch."""

import json

import numpy as np
import pytest
import torch

from rnn_core.analysis.display import decay_ratio
from rnn_core.analysis.inspect import gradient_race
from rnn_core.figures.colors import cell_color
from tests.app.conftest import no_problems, open_app, train_until_done

GRADIENT_TABS = ("RNN vs LSTM vs GRU", "This model, as it trains", "Connectivity")


def each_gradient_tab(at):
    """Open every tab of the Gradients page in turn (only the open tab runs); yields its label."""
    at.switch_page("app_pages/gradients.py")
    for tab in GRADIENT_TABS:
        at.session_state["grad.tab"] = tab
        at.run()
        yield tab


def chart_keys(at) -> list[str]:
    """The keys of the Plotly charts drawn in the last run."""
    return [chart.key for chart in at.get("plotly_chart")]


def trained_app(steps: int = 30, cell: str = "LSTM"):
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="opt.cell").set_value(cell).run()
    at.number_input(key="opt.amount").set_value(steps).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    return at


@pytest.mark.parametrize(
    "page, tab",
    [
        ("app_pages/inside.py", None),
        *(("app_pages/gradients.py", tab) for tab in GRADIENT_TABS[1:]),
    ],
)
def test_pages_without_a_model_point_to_train(page, tab):
    at = open_app()
    if tab is not None:
        at.session_state["grad.tab"] = tab
    at.switch_page(page).run()
    no_problems(at)
    assert any("no model yet" in info.value for info in at.info)


def test_forget_gate_at_t30_is_pytorchs():
    at = trained_app()
    at.switch_page("app_pages/inside.py").run()
    no_problems(at)
    assert at.slider(key="inside.t").value == 30
    table = at.dataframe[0].value
    exp = at.session_state["experiment"]
    model = exp.model.eval()
    x, _ = at.session_state["inspect.batch"][1]
    # Reference from PyTorch's own module: h_{t-1}, c_{t-1} from nn.LSTM, then the forget gate.
    with torch.no_grad():
        states, _ = model.rnn(x[:1, :30])  # (1, 30, H): h_0 .. h_29
        h_prev = states[0, -1]
        rnn, H = model.rnn, model.config.hidden_size
        a_f = (
            rnn.weight_ih_l0[H : 2 * H] @ x[0, 30]
            + rnn.bias_ih_l0[H : 2 * H]
            + rnn.weight_hh_l0[H : 2 * H] @ h_prev
            + rnn.bias_hh_l0[H : 2 * H]
        )
        f_reference = torch.sigmoid(a_f).numpy()  # (H,)
    units = table["unit"].to_numpy()
    np.testing.assert_allclose(table["f"].to_numpy(), f_reference[units], atol=1e-5)
    assert len(at.get("plotly_chart")) >= 2


@pytest.mark.parametrize("cell", ["GRU", "RNN (tanh)"])
def test_inside_page_for_other_cells(cell):
    at = trained_app(steps=10, cell=cell)
    at.switch_page("app_pages/inside.py").run()
    no_problems(at)
    assert set(at.dataframe[0].value.columns) >= {"unit", "h", "h_prev"}
    (footnote,) = [c.value for c in at.caption if "of the forward direction" in c.value]
    assert "h at t − 1 is zero" in footnote and " c " not in footnote  # no cell state here
    at.radio(key="inside.order").set_value("similarity").run()
    no_problems(at)
    heatmap = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][1]  # h, under the input
    units = [int(u) for u in heatmap["y"]]
    assert sorted(units) == list(range(32)) and units != sorted(units)


def test_gradients_page_shows_the_race_and_the_model():
    at = trained_app(steps=30)
    at.switch_page("app_pages/gradients.py").run()
    no_problems(at)
    race = gradient_race(hidden_size=32, seq_len=100, forget_bias=2.0)
    shown = {m.label: m.value for m in at.metric}
    for cell, norms in race.items():
        assert shown[f"{cell.upper()}: ‖∂L/∂h₀‖ / ‖∂L/∂h₉₉‖"] == f"{decay_ratio(norms):.2e}"
    assert chart_keys(at) == ["grad.race"]  # only the open tab runs
    race_colors = [
        t["line"]["color"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    ]
    assert race_colors == [cell_color(cell.upper()) for cell in race]  # each cell its colour
    drawn = {}
    for tab in each_gradient_tab(at):
        no_problems(at)
        drawn[tab] = chart_keys(at)
        if tab == "This model, as it trains":  # a loss at every step: why the profile rises
            assert any("rises toward t = 0" in c.value for c in at.caption)
    assert drawn == {
        "RNN vs LSTM vs GRU": ["grad.race"],
        "This model, as it trains": ["grad.model", "grad.snapshots"],
        "Connectivity": ["grad.connectivity"],
    }
    # What the caption says at these defaults: the LSTM loses about two orders, the RNN about 20.
    assert 1e-3 < decay_ratio(race["lstm"]) < 1.0
    assert decay_ratio(race["rnn"]) < 1e-15


def test_text_model_inside():
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("Text").run()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(10).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    at.switch_page("app_pages/inside.py").run()
    no_problems(at)
    for _ in each_gradient_tab(at):
        no_problems(at)
