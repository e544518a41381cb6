"""Torch, pandas, plotly, every module of the app and a first optimizer's imports (torch._dynamo),
in the background once the first page is drawn; the training processes' fork server meanwhile.

Home imports none of them (`tests/app/test_preload.py` holds that), so a fresh server draws it about
as soon as the browser has loaded Streamlit's front end; the imports (2 to 3 s on two cores) run
while the person reads it. Imported while the server started instead, they held the interpreter
lock that the server and the first page needed, and the home page came a second later; begun
the moment the first page's script ended, they held up its last widgets by 0.3 to 0.9 s (the
server's event loop, which sends them, waits for that lock too). Every other page waits for it
first (`ready()`, called by the navigation before the page runs), so that it never races the
background thread for a module that is half imported (two threads importing modules that import
each other, as torch's do, can see one half made).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
import time

from rnn_core.live.processes import import_first_optimizer, start_fork_server

PACKAGES = ("rnn_core", "ui")
AFTER_FIRST_PAGE_S = 0.5  # the server sends the first page and the browser draws it meanwhile
THREAD_NAME = "rnn-preload"
_DONE = threading.Event()
_DONE.set()  # nothing to wait for until a preload starts
_STARTED = threading.Event()
_START_LOCK = threading.Lock()


def preload_in_background(after_s: float = AFTER_FIRST_PAGE_S) -> threading.Thread | None:
    """Import the app's modules and a first optimizer's in a daemon thread, beginning `after_s`
    seconds from now (once per process; None when already started); `wait()` blocks until they
    are imported."""
    with _START_LOCK:
        if _STARTED.is_set():
            return None
        _STARTED.set()
        _DONE.clear()
    thread = threading.Thread(target=_preload, args=(after_s,), name=THREAD_NAME, daemon=True)
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


def _preload(after_s: float) -> None:
    time.sleep(after_s)
    start_fork_server()  # in its own process: the first Start finds it ready
    try:
        for name in app_modules():
            importlib.import_module(name)
        import_first_optimizer()  # else the first Start imports torch._dynamo (about 1 s)
    finally:  # a failed import is raised again, with its traceback, where the page imports it
        _DONE.set()


def ready() -> None:
    """What a page that uses the core calls first: the preload begun at once if it has not
    begun (the server's first page is not Home), then waited for."""
    preload_in_background(after_s=0)
    wait()


def imported() -> bool:
    """True once the preload has imported everything (`ready()` then returns at once)."""
    return _STARTED.is_set() and _DONE.is_set()


def wait(timeout: float = 60.0) -> None:
    """Block until a preload started in this process has finished (at once if none has, or
    when called from the preload itself)."""
    if threading.current_thread().name != THREAD_NAME:
        _DONE.wait(timeout)
