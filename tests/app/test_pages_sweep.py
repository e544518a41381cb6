"""The Sweep page under AppTest: its knobs, sentences for bad values, a small sweep on this
machine whose table and heatmap equal what its runs' histories give, and the best setting one
click from Train."""

import pytest

from tests.app.conftest import no_problems, open_app


def sweep_page():
    at = open_app()
    at.switch_page("app_pages/sweep.py").run()
    return at


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
