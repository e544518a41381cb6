"""Helpers shared by the page tests: the app under Streamlit's AppTest."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from tests.paths import ROOT

APP = str(ROOT / "app.py")


def open_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def no_problems(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def train_until_done(at: AppTest, timeout: float = 60) -> None:
    """AppTest does not run `run_every` fragments: rerun until the run ends."""
    deadline = time.monotonic() + timeout
    while at.session_state["experiment"].run.active:
        assert time.monotonic() < deadline, "training did not end"
        time.sleep(0.2)
        at.run()
    at.run()
