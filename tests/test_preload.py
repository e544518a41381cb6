"""The preload behind `python -m ui.serve`: it imports every module a page needs, and a page run
waits for it instead of racing it."""

import ast
import subprocess
import sys
import threading
import time

import pytest

import ui.preload
import ui.serve
from rnn_core import processes
from tests.paths import ROOT
from ui.preload import app_modules, preload_in_background, wait


def imported_app_modules(path) -> set[str]:
    """The rnn_core / ui modules a file imports at its top level."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.split(".")[0] in ("rnn_core", "ui")}


def test_every_module_a_page_imports_is_preloaded():
    preloaded = set(app_modules())
    for page in [*(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        missing = imported_app_modules(page) - preloaded - {"ui", "rnn_core", "ui.preload"}
        missing = {m for m in missing if not (ROOT / m.replace(".", "/")).is_dir()}
        assert not missing, f"{page.name} imports {missing}, which the preload leaves out"
    assert app_modules()[:2] == list(ui.preload.FIRST)
    assert not set(ui.preload.SKIP) & preloaded


def test_a_preload_in_a_fresh_interpreter_imports_torch_and_the_app():
    code = (
        "import sys\n"
        "from ui.preload import preload_in_background, wait\n"
        "assert 'torch' not in sys.modules\n"
        "preload_in_background()\n"
        "wait()\n"
        "assert {'torch', 'plotly.graph_objects', 'ui.navigation', 'rnn_core.experiment'} "
        "<= set(sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_wait_blocks_until_the_preload_ends(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(ui.preload, "FIRST", ())
    monkeypatch.setattr(ui.preload, "app_modules", lambda: release.wait() and [])
    preload_in_background()
    waiter = threading.Thread(target=wait)
    waiter.start()
    waiter.join(timeout=0.3)
    assert waiter.is_alive()  # still waiting for the preload
    release.set()
    waiter.join(timeout=5)
    assert not waiter.is_alive()
    wait(timeout=0)  # and at once once it has ended


def test_serve_runs_streamlit_on_the_app_with_the_options_given(monkeypatch):
    seen = {}
    monkeypatch.setattr(ui.serve, "preload_in_background", lambda: seen.setdefault("preload", 1))
    monkeypatch.setattr(sys, "argv", ["serve", "--server.port", "8600"])
    import streamlit.web.cli

    monkeypatch.setattr(streamlit.web.cli, "main", lambda: seen.setdefault("argv", sys.argv) and 0)
    with pytest.raises(SystemExit):
        ui.serve.main()
    assert seen["preload"] == 1
    assert seen["argv"] == ["streamlit", "run", str(ROOT / "app.py"), "--server.port", "8600"]


def test_the_fork_server_is_started_once_however_often_asked(monkeypatch):
    started = []
    monkeypatch.setattr(processes, "_FORK_SERVER_UP", threading.Event())
    monkeypatch.setattr(processes, "_run_one_process", lambda: started.append(1))
    for _ in range(3):
        processes.start_fork_server()
    deadline = time.monotonic() + 5
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert started == [1]
