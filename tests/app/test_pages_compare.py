"""The Compare page under AppTest: every cell trains from its own button press, and the table
shows PyTorch's parameter counts and what each run measured."""

import json

import numpy as np

from rnn_core.models import build_model
from tests.app.conftest import compare_until_done, no_problems, open_app
from ui.compare.cells import diverged_sentence, table_headers


def test_three_cells_train_side_by_side_and_fill_the_table():
    at = open_app()
    at.switch_page("app_pages/compare.py").run()
    no_problems(at)
    assert any("Train them all" in i.value for i in at.info)
    at.number_input(key="opt.compare.steps").set_value(30).run()
    at.toggle(key="opt.compare.budget").set_value(True).run()
    at.button(key="btn.compare").click().run()
    compare_until_done(at)
    runs = at.session_state["compare.runs"]["runs"]
    no_problems(at)
    table = at.table[0].value  # HTML: it wraps to fit its column, headers short, units in them
    assert list(table.columns) == [
        "run",
        "hidden",
        "params",
        "final val. (MSE)",
        "best val. (MSE)",
        "steps",
        "ms/step",
        "peak MiB",
        "state",
    ]
    assert list(table["run"]) == ["LSTM", "GRU", "RNN (tanh)"]
    for label, (config, _) in runs.items():
        row = table[table["run"] == label].iloc[0]
        assert row["params"] == f"{build_model(config, 0).parameter_count():,}"
        assert row["hidden"] == config.hidden_size
        assert row["steps"] == 30 and row["state"] == "finished"
        assert float(row["peak MiB"]) > 0
        assert float(row["ms/step"]) > 0
    assert {runner.spec.train_config.seed for _, runner in runs.values()} == {0}
    sizes = [config.hidden_size for config, _ in runs.values()]
    assert sizes[0] < sizes[1] < sizes[2]  # equal budget: the RNN gets the most units
    assert any("trivial baseline" in c.value for c in at.caption)


def test_a_diverged_run_is_told_with_the_tables_count_and_this_pages_button():
    message = (
        "Training diverged at step 22: the loss became infinite. The last good weights are "
        "kept. Lower the learning rate (now 0.3) or turn on gradient clipping, then press Start."
    )
    said = diverged_sentence("RNN (tanh), no clipping", 21, message)
    assert said.startswith("**RNN (tanh), no clipping** diverged after 21 steps: at the next")
    assert "press **Train them all**" in said and "press Start" not in said


def test_the_tables_headers_are_short_and_carry_the_unit():
    headers = table_headers("bits/char")
    assert headers["final validation loss"] == "final val. (bits/char)"
    assert table_headers("MSE, standardized")["best validation loss"] == "best val. (MSE)"
    assert all(len(label) <= 22 for label in headers.values())  # the table fits its column


def test_several_seeds_give_each_cell_a_mean_with_its_spread():
    at = open_app()
    at.switch_page("app_pages/compare.py").run()
    at.multiselect(key="opt.compare.cells").set_value(["LSTM", "GRU"]).run()
    at.number_input(key="opt.compare.steps").set_value(20).run()
    at.number_input(key="opt.compare.seeds").set_value(3).run()
    at.radio(key="opt.sweep.band").set_value("± 1 standard deviation").run()
    at.button(key="btn.compare").click().run()
    compare_until_done(at)
    kept = at.session_state["compare.runs"]
    no_problems(at)
    assert kept["cells"]["LSTM"] == ["LSTM · seed 0", "LSTM · seed 1", "LSTM · seed 2"]
    table = at.table[0].value
    for label, names in kept["cells"].items():
        runs = [kept["runs"][name][1] for name in names]
        assert [r.spec.seed for r in runs] == [r.spec.train_config.seed for r in runs] == [0, 1, 2]
        final = [r.history.frame()["val_loss"].dropna().iloc[-1] for r in runs]
        row = table[table["run"] == label].iloc[0]
        assert row["final val. (MSE), mean ± std"] == (
            f"{np.mean(final):.4g} ± {np.std(final, ddof=1):.2g}"
        )
        assert row["diverged"] == 0 and row["state"] == "3 of 3 finished"
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in figure["data"]]
    assert "LSTM: mean of 3 seeds" in names and "GRU: mean of 3 seeds" in names
    assert "mean ± 1 standard deviation" in figure["layout"]["title"]["text"]
