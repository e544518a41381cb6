"""Torch, pandas, plotly and every module of the app, imported in the background once the first
page is drawn; then a first optimizer's own imports.

Home imports none of them (`tests/test_preload.py` holds that), so a fresh server draws it about
as soon as the browser has loaded Streamlit's front end; the imports (about 2 s on two cores) run
while the person reads it. Imported while the server starts instead, they held the interpreter
lock that the server and the first page needed, and the home page came a second later. Every
other page calls `wait()` first, so that it never races the background thread for a module that
is half imported (two threads importing modules that import each other can see one half made).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading

from rnn_core.processes import import_first_optimizer

PACKAGES = ("rnn_core", "ui")
_DONE = threading.Event()
_DONE.set()  # nothing to wait for until a preload starts
_STARTED = threading.Event()
_START_LOCK = threading.Lock()


def preload_in_background() -> threading.Thread | None:
    """Import the app's modules in a daemon thread (once per process; None when already
    started), then a first optimizer's; `wait()` blocks until the app's modules are imported."""
    with _START_LOCK:
        if _STARTED.is_set():
            return None
        _STARTED.set()
        _DONE.clear()
    thread = threading.Thread(target=_preload, name="rnn-preload", daemon=True)
    thread.start()
    return thread


def app_modules() -> list[str]:
    """Every module of the app's packages (listing imports the subpackages, rnn_core.datasets)."""
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            names.append(info.name)
    return names


def _preload() -> None:
    try:
        for name in app_modules():
            importlib.import_module(name)
    finally:  # a failed import is raised again, with its traceback, where the page imports it
        _DONE.set()
    import_first_optimizer()  # the pages need not wait for it


def wait(timeout: float = 60.0) -> None:
    """Block until a preload started in this process has finished (at once if none has)."""
    _DONE.wait(timeout)
