"""Presenter mode under AppTest: the sidebar switch, the page's CSS and the charts' larger style."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.figures.style import BASE_FONT, MIN_LINE, TICK_FONT
from tests.app.conftest import APP, RERUN_S, no_problems, open_app


def data_page(presenter: bool):
    """The Data page with the default sine, presenter mode set from the sidebar switch."""
    at = open_app()
    at.toggle(key="opt.presenter").set_value(presenter).run()
    at.switch_page("app_pages/data.py").run()
    no_problems(at)
    return at


def styles(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if h.proto.body.lstrip().startswith("<style>")]


def presenter_styles(at) -> list[str]:
    """The style blocks that carry presenter mode's larger root font."""
    return [css for css in styles(at) if ":root { font-size: 20px; }" in css]


def chart_spec(at) -> dict:
    (chart,) = at.get("plotly_chart")  # the sine series
    return json.loads(chart.proto.spec)


def test_presenter_mode_is_off_by_default_and_changes_nothing():
    at = data_page(presenter=False)
    assert at.sidebar.toggle(key="opt.presenter").value is False
    assert presenter_styles(at) == [] and "present" not in at.query_params
    (css,) = styles(at)  # only what every page needs: labels that wrap instead of being cut
    assert "stMetricLabel" in css and "white-space: normal" in css
    spec = chart_spec(at)
    assert "font" not in spec["layout"]
    assert all(trace.get("line", {}).get("width") is None for trace in spec["data"])


def test_presenter_mode_enlarges_the_page_and_its_chart():
    at = data_page(presenter=True)
    (css,) = presenter_styles(at)
    assert "stMainMenu" in css and at.query_params["present"] == "1"
    assert "url(" not in css and "@import" not in css  # nothing fetched: it works offline
    spec = chart_spec(at)
    assert spec["layout"]["font"]["size"] == BASE_FONT
    assert spec["layout"]["xaxis"]["tickfont"]["size"] == TICK_FONT
    assert all(trace["line"]["width"] >= MIN_LINE for trace in spec["data"])


def test_presenter_mode_lasts_across_pages_and_can_be_turned_off():
    at = data_page(presenter=True)
    at.switch_page("app_pages/home.py").run()
    assert at.toggle(key="opt.presenter").value is True and len(presenter_styles(at)) == 1
    at.toggle(key="opt.presenter").set_value(False).run()
    assert presenter_styles(at) == [] and "present" not in at.query_params


def test_presenter_mode_survives_a_reload_from_the_address():
    """A new session opened on an address with ?present=1 (a reload) starts in presenter mode,
    keeps the parameter, and reads it as no part of the experiment (no warning about it)."""
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params["present"] = "1"
    at.query_params["seed"] = "3"
    at.run()
    no_problems(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.toggle(key="opt.presenter").value is True and len(presenter_styles(at)) == 1
    assert at.query_params["present"] == "1" and at.session_state["opt.seed"] == 3


@pytest.mark.parametrize("presenter", [False, True])
def test_train_page_folds_its_knobs_in_presenter_mode(presenter):
    at = open_app()
    at.toggle(key="opt.presenter").set_value(presenter).run()
    at.switch_page("app_pages/train.py").run()
    no_problems(at)
    expanders = {e.label: e.proto.expanded for e in at.expander}
    assert expanders["Model"] is not presenter and expanders["Training"] is not presenter
