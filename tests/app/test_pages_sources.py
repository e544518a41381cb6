"""No silent substitution: data the session does not have (an upload a link cannot carry, a
refused file) is said on every page, and nothing trains on something else in its place."""

from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, RERUN_S, open_app
from ui.sources.imu import UPLOAD

PAGES = [
    "app_pages/train.py",
    "app_pages/compare.py",
    "app_pages/sweep.py",
    "app_pages/gradients.py",
    "app_pages/data.py",
]


def _said(at: AppTest, text: str) -> bool:
    return any(text in w.value for w in at.warning)


def test_a_link_that_needs_an_upload_says_so_on_every_page_and_trains_nothing():
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=RERUN_S)
        at.query_params = {"source_kind": "IMU recording", "imu.choice": UPLOAD}
        at.switch_page(page).run()
        assert not at.exception, page
        assert _said(at, "not part of a link"), (page, [w.value for w in at.warning])
        if page == "app_pages/train.py":
            assert at.button(key="btn.start").disabled
            assert "experiment" not in at.session_state
        if page == "app_pages/compare.py":
            assert at.button(key="btn.compare").disabled
        if page == "app_pages/sweep.py":
            assert at.button(key="btn.sweep").disabled


def test_a_refused_upload_leaves_no_source_in_its_place():
    at = open_app().switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("IMU recording").run()
    assert at.session_state["source"].kind == "imu"  # a sample, read
    at.session_state["imu.last_upload"] = ("broken.csv", b"\x00\x01 not a recording")
    at.radio(key="opt.imu.choice").set_value(UPLOAD).run()
    assert not at.exception
    assert at.error  # the Data page says why the file was refused
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert _said(at, "The chosen file cannot be used"), [w.value for w in at.warning]
    assert at.button(key="btn.start").disabled


def test_a_text_upload_that_is_missing_is_said_and_pasted_text_is_asked_for():
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {"source_kind": "Text", "text.choice": "Paste text"}
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert _said(at, "pasted text, and none is pasted yet")
    assert at.button(key="btn.start").disabled


def test_data_chosen_after_the_sentence_clears_it():
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {"source_kind": "IMU recording", "imu.choice": UPLOAD}
    at.switch_page("app_pages/data.py").run()
    assert _said(at, "not part of a link")
    at.radio(key="opt.imu.choice").set_value("Sample: Arduino MPU6050 serial log").run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert not _said(at, "not part of a link")
    assert not at.button(key="btn.start").disabled
