"""The app's modules imported while the server starts, so that the first page does not wait for
torch, pandas and plotly (about 2 s on two cores).

`python -m ui.serve` starts `preload_in_background()` before the server; every script run calls
`wait()` before importing the app, so a page never races the preload thread for a half-imported
module. Under a plain `streamlit run app.py` nothing is preloaded and `wait()` returns at once.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

# What the first page imports first (torch, pandas and plotly come with it), then the rest of
# the app's modules, so that no page's first visit imports anything.
FIRST = ("ui.navigation", "rnn_core.experiment")
PACKAGES = ("rnn_core", "ui")
SKIP = ("ui.serve", "ui.preload")
_DONE = threading.Event()
_DONE.set()  # nothing to wait for until a preload starts


def preload_in_background() -> threading.Thread:
    """Import the app's modules in a daemon thread; `wait()` blocks until it has finished."""
    _DONE.clear()
    thread = threading.Thread(target=_preload, name="rnn-preload", daemon=True)
    thread.start()
    return thread


def app_modules() -> list[str]:
    """Every module of the app's packages, FIRST first (SKIP left out). Listing imports the
    subpackages (rnn_core.datasets)."""
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            names.append(info.name)
    return [*FIRST, *(n for n in names if n not in FIRST and n not in SKIP)]


def _preload() -> None:
    try:
        for name in FIRST:  # before the listing imports anything else
            importlib.import_module(name)
        for name in app_modules():
            importlib.import_module(name)
    finally:  # a failed import is raised again, with its traceback, where the page imports it
        _DONE.set()
    from rnn_core.processes import start_fork_server

    start_fork_server()  # in its own process: the first Start does not wait for its imports


def wait(timeout: float = 60.0) -> None:
    """Block until a preload started in this process has finished (at once if none has)."""
    _DONE.wait(timeout)
