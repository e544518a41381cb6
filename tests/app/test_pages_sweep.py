"""The Sweep page under AppTest: its knobs, sentences for bad values, a small sweep on this
machine whose table and heatmap equal what its runs' histories give, and the best setting one
click from Train."""

import json
import time

import pytest

from rnn_core.sweeps.aggregate import summary_table
from rnn_core.sweeps.spec import CELL_CHOICES, KNOBS
from tests.app.conftest import RERUN_S, no_problems, open_app, run_sweep, sweep_page
from ui.session.settings import CELL_VALUES, SWEEP_KNOBS
from ui.sweep.setup import SWEEP


def test_the_page_counts_its_runs():
    at = sweep_page()
    no_problems(at)
    assert any("18 runs: 6 settings × 3 seeds" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ("0.01, fast", "'fast' is not a number"),
        ("", "Type at least one value"),
        ("99", "outside 1e-05 to 10"),
    ],
)
def test_a_bad_value_gets_a_sentence(values, said):
    at = sweep_page()
    at.text_input(key="opt.sweep.values1").input(values).run()
    assert not at.exception
    assert said in at.error[0].value


def test_a_small_sweep_shows_the_means_of_its_runs_and_takes_the_best_to_train():
    at = sweep_page(steps=20)
    at.text_input(key="opt.sweep.values1").input("0.003, 0.03").run()
    at.text_input(key="opt.sweep.values2").input("4, 8").run()
    at.number_input(key="opt.sweep.seeds").set_value(2).run()
    run_sweep(at)
    no_problems(at)
    kept = at.session_state[SWEEP]
    results = kept["executor"].results()
    assert [r.state for r in results] == ["finished"] * 8
    summary = summary_table(results, kept["spec"].knob_names)
    table = at.table[0].value
    assert list(table["Learning rate"]) == ["0.003", "0.003", "0.03", "0.03"]
    for k, row in summary.iterrows():
        assert table.iloc[k, 3] == f"{row['final mean']:.4g} ± {row['final std']:.2g}"
    heat = next(
        json.loads(c.proto.spec)["data"][0]
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["data"][0]["type"] == "heatmap"
    )
    for row in summary.to_dict("records"):
        r = heat["y"].index(str(row["Hidden size"]))
        c = heat["x"].index(format(row["Learning rate"], "g"))
        assert heat["text"][r][c] == f"{row['final mean']:.4g}"
    best = summary.loc[summary["final mean"].idxmin()]
    at.button(key="btn.sweep_best").click().run()
    assert at.session_state["opt.lr"] == best["Learning rate"]
    assert at.session_state["opt.hidden"] == best["Hidden size"]
    assert at.number_input(key="opt.hidden").value == best["Hidden size"]  # on Train now
    no_problems(at)


def test_stop_ends_every_run_of_the_sweep():
    at = sweep_page()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(20_000).run()
    at.switch_page("app_pages/sweep.py").run()
    assert at.button(key="btn.sweep_stop").disabled  # nothing to stop yet
    at.button(key="btn.sweep").click().run()
    executor = at.session_state[SWEEP]["executor"]
    assert executor.active and not at.button(key="btn.sweep_stop").disabled
    at.button(key="btn.sweep_stop").click().run()
    deadline = time.monotonic() + RERUN_S  # a hang guard, not a timing
    while executor.active:
        assert time.monotonic() < deadline, "a run outlived Stop"
        time.sleep(0.2)
    assert {r.state for r in executor.results()} == {"stopped"}
    at.run()
    no_problems(at)
    assert at.button(key="btn.sweep_stop").disabled


def test_the_settings_offer_every_knob_a_sweep_can_vary():
    assert tuple(KNOBS) == SWEEP_KNOBS
    assert CELL_CHOICES == CELL_VALUES  # a typed cell means what the Train page's choice does


def test_presenter_mode_folds_the_knobs_away():
    at = open_app()
    at.toggle(key="opt.presenter").set_value(True).run()
    at.switch_page("app_pages/sweep.py").run()
    no_problems(at)
    assert [e.label for e in at.main.expander] == ["Knobs, values and seeds"]
    assert not at.button(key="btn.sweep").disabled
