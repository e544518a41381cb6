"""Presenter mode under AppTest: the sidebar switch, the page's CSS and the charts' larger style."""

import json

import pytest

from rnn_core.figures_style import BASE_FONT, MIN_LINE, TICK_FONT
from tests.test_pages import no_problems, open_app


def data_page(presenter: bool):
    """The Data page with the default sine, presenter mode set from the sidebar switch."""
    at = open_app()
    at.toggle(key="opt.presenter").set_value(presenter).run()
    at.switch_page("app_pages/data.py").run()
    no_problems(at)
    return at


def styles(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if h.proto.body.lstrip().startswith("<style>")]


def chart_spec(at) -> dict:
    (chart,) = at.get("plotly_chart")  # the sine series
    return json.loads(chart.proto.spec)


def test_presenter_mode_is_off_by_default_and_changes_nothing():
    at = data_page(presenter=False)
    assert at.sidebar.toggle(key="opt.presenter").value is False
    assert styles(at) == []
    spec = chart_spec(at)
    assert "font" not in spec["layout"]
    assert all(trace.get("line", {}).get("width") is None for trace in spec["data"])


def test_presenter_mode_enlarges_the_page_and_its_chart():
    at = data_page(presenter=True)
    (css,) = styles(at)
    assert ":root { font-size: 20px; }" in css and "stMainMenu" in css
    assert "url(" not in css and "@import" not in css  # nothing fetched: it works offline
    spec = chart_spec(at)
    assert spec["layout"]["font"]["size"] == BASE_FONT
    assert spec["layout"]["xaxis"]["tickfont"]["size"] == TICK_FONT
    assert all(trace["line"]["width"] >= MIN_LINE for trace in spec["data"])


def test_presenter_mode_lasts_across_pages_and_can_be_turned_off():
    at = data_page(presenter=True)
    at.switch_page("app_pages/home.py").run()
    assert at.toggle(key="opt.presenter").value is True and len(styles(at)) == 1
    at.toggle(key="opt.presenter").set_value(False).run()
    assert styles(at) == []


@pytest.mark.parametrize("presenter", [False, True])
def test_train_page_folds_its_knobs_in_presenter_mode(presenter):
    at = open_app()
    at.toggle(key="opt.presenter").set_value(presenter).run()
    at.switch_page("app_pages/train.py").run()
    no_problems(at)
    expanders = {e.label: e.proto.expanded for e in at.expander}
    assert expanders["Model"] is not presenter and expanders["Training"] is not presenter
