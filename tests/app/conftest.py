"""Helpers shared by the page tests: the app under Streamlit's AppTest."""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.paths import ROOT
from ui.session.owner import TOKEN

APP = str(ROOT / "app.py")
# How long a rerun, a training or a sweep may take before a test fails: generous, because the page
# tests share two cores with two other workers (`pytest -n 3`), and a training process first
# imports torch. A deadline here is a hang's limit, not a speed check (`python -m bench` has those).
RERUN_S = 120
TRAINING_S = 240


@pytest.fixture(autouse=True)
def real_main_module():
    """AppTest leaves the script it ran as `__main__`; a process started later through the fork
    server (a training, a capped upload read) runs `__main__` again, and a script written by
    `AppTest.from_function` fails there without its arguments: put the real one back after each
    page test (a worker of `pytest -n` runs the core's tests next in the same process)."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def open_app() -> AppTest:
    """The app's first page, run once under AppTest."""
    return AppTest.from_file(APP, default_timeout=RERUN_S).run()


def app_with_token(secret: str) -> AppTest:
    """The app opened, its session carrying the browser token `secret` (as the cookie would)."""
    at = open_app()
    at.session_state[TOKEN] = secret
    return at


def owner_key_of(secret: str) -> str:
    """The owner key the app derives from a browser token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def plotly_figure(at: AppTest, index: int) -> dict:
    """The index-th Plotly chart on the page, as its figure's JSON."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)


LIVE_CHART = "rnn_explorer_live_chart"  # ui/session/live_chart.py's component


def live_figures(at: AppTest) -> list[dict]:
    """The figures of the page's live charts (the component the browser updates in place), in
    page order, as Plotly.js receives them."""
    return [
        json.loads(json.loads(element.proto.json)["figure"])
        for element in at.get("bidi_component")
        if element.proto.component_name == LIVE_CHART
    ]


def chart_values(packed) -> np.ndarray:
    """A trace's values from a chart's JSON as floats: Plotly packs arrays in base64 with their
    dtype (and a 2-D array's shape, "rows, columns"); short or mixed ones stay lists."""
    if not isinstance(packed, dict):
        return np.asarray(packed, dtype=float)
    flat = np.frombuffer(base64.b64decode(packed["bdata"]), dtype=packed["dtype"])
    if "shape" in packed:
        flat = flat.reshape([int(n) for n in str(packed["shape"]).split(",")])
    return flat.astype(float)


def no_problems(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def rerun_while(at: AppTest, busy, what: str, timeout: float = TRAINING_S) -> None:
    """Rerun the page while `busy()`, then once more (AppTest does not run `run_every`
    fragments); fails when `what` has not ended within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while busy():
        assert time.monotonic() < deadline, f"{what} did not end"
        time.sleep(0.3)
        at.run()
    at.run()


def train_until_done(at: AppTest, timeout: float = TRAINING_S) -> None:
    """Rerun until the page's training ends."""
    rerun_while(at, lambda: at.session_state["experiment"].run.active, "training", timeout)


def compare_until_done(at: AppTest, timeout: float = TRAINING_S) -> None:
    """Rerun Compare until every run it started has ended."""
    runs = at.session_state["compare.runs"]["runs"]
    rerun_while(at, lambda: any(r.active for _, r in runs.values()), "the comparison", timeout)


def sweep_page(steps: int | None = None, at: AppTest | None = None) -> AppTest:
    """The Sweep page of `at` (a fresh app when None), with Train's number of steps set first
    when `steps` is given (a sweep trains every run that long)."""
    at = at or open_app()
    if steps is not None:
        at.switch_page("app_pages/train.py").run()
        at.number_input(key="opt.amount").set_value(steps).run()
    return at.switch_page("app_pages/sweep.py").run()


def run_sweep(at: AppTest, timeout: float = TRAINING_S) -> None:
    """Start the page's sweep and rerun until it ends."""
    from ui.sweep.setup import SWEEP

    at.button(key="btn.sweep").click().run()
    rerun_while(at, lambda: at.session_state[SWEEP]["executor"].active, "the sweep", timeout)
