"""The seventh lecture demo, "Can an LSTM correct VQF?", opened as its link opens it: the numbers
its caption says are the ones its Evaluate page shows, the same on two passes."""

import pytest

from rnn_core.evaluation.correction import POOLED
from tests.app.test_presets import open_preset
from ui.session.demos import PRESETS

pytestmark = pytest.mark.slow  # left out of make test-fast

PRESET = "correct-vqf"


def correction_table(at):
    """The Evaluate page's table of VQF alone and corrected, per test trial and pooled."""
    tables = [d.value for d in at.dataframe if "corrected RMSE (deg)" in d.value.columns]
    assert len(tables) == 1, [d.value.columns for d in at.dataframe]
    return tables[0].set_index("recording")


def trial(table, number: str):
    """The row of BROAD trial `number` ("07")."""
    rows = [name for name in table.index if name.startswith(f"broad-{number}_")]
    assert len(rows) == 1, table.index
    return table.loc[rows[0]]


def test_the_correct_vqf_demo_says_what_its_run_shows_the_same_way_twice():
    at, again = open_preset(PRESET), open_preset(PRESET)
    table = correction_table(at)
    assert table.equals(correction_table(again))
    assert at.session_state["experiment"].run.spec.model_config.head_init == "zero"
    pooled = table.loc[POOLED]
    assert pooled["verdict"] == "cannot be told apart", table
    caption = PRESETS[PRESET].caption
    assert f"({pooled['corrected RMSE (deg)']:.3f}°)" in caption, (caption, pooled)
    assert f"({pooled['filter RMSE (deg)']:.3f}°)" in caption, (caption, pooled)
    assert trial(table, "07")["verdict"] == "improves on VQF", table
    assert trial(table, "25")["verdict"] == "improves on VQF", table
    assert trial(table, "15")["verdict"] == "worse", table
    said = [i.value for i in at.info if i.value.startswith("Pooled over the 5 unseen")]
    assert len(said) == 1 and "cannot be told apart from VQF" in said[0], said
