"""Home draws without torch; the preload then imports every module a page needs, once, and every
other page waits for it instead of racing it."""

import subprocess
import sys
import threading
import time

import pytest

import ui.session.preload
from rnn_core.live import processes
from tests.app.conftest import RERUN_S
from tests.paths import ROOT
from ui.session.preload import app_modules, preload_in_background, wait

HEAVY = ("torch", "pandas", "numpy")


def run_in_fresh_interpreter(code: str) -> str:
    """stdout of `code` run by a new Python in the project's root (asserts that it succeeded)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_home_draws_without_importing_torch_pandas_or_numpy_then_starts_the_preload():
    code = (
        "import sys\n"
        "import ui.session.preload\n"
        "started = []\n"
        "ui.session.preload.preload_in_background = lambda: started.append(sorted(sys.modules))\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file('app.py', default_timeout={RERUN_S}).run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.title[0].value == 'RNN Explorer'\n"
        "assert at.selectbox(key='opt.device').options, 'the device choice is drawn'\n"
        f"print(started and not set({HEAVY!r}) & set(started[0]))\n"
    )
    assert run_in_fresh_interpreter(code).split()[-1] == "True"


def test_a_page_with_the_core_begins_the_preload_at_once_and_waits_for_it(monkeypatch):
    order = []

    def record(after_s="after the page"):
        order.append(after_s)

    monkeypatch.setattr(ui.session.preload, "preload_in_background", record)
    monkeypatch.setattr(ui.session.preload, "wait", lambda: order.append("wait"))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=RERUN_S)
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert order == [0, "wait", "after the page"]  # begun at once (if not yet), waited for


def test_no_page_is_discovered_by_streamlit_itself():
    """Pages live in app_pages/, which Streamlit does not read by itself: app.py's navigation
    routes every request, a fresh server's first deep link too."""
    assert not (ROOT / "pages").exists()
    for page in (ROOT / "app_pages").glob("*.py"):
        text = page.read_text()
        assert "run_through_app" not in text and "core_ready" not in text, page.name


@pytest.mark.slow
def test_the_preload_imports_torch_and_every_app_module_in_a_fresh_interpreter():
    code = (
        "import sys\n"
        "import ui.session.preload\n"
        "from ui.session.preload import app_modules, preload_in_background, wait\n"
        # nothing may outlive this interpreter
        "ui.session.preload.start_fork_server = lambda: None\n"
        f"assert not set({HEAVY!r}) & set(sys.modules)\n"
        "assert preload_in_background(after_s=0) is not None\n"
        "assert preload_in_background(after_s=0) is None  # once per process\n"
        "wait()\n"
        "names = set(app_modules())\n"
        "assert 'torch._dynamo' in sys.modules  # what a first optimizer imports\n"
        "assert 'rnn_core.live.experiment' in names and 'ui.navigation' in names\n"
        "assert {*names, 'torch', 'pandas', 'plotly.graph_objects'} <= set(sys.modules)\n"
        "print('ok')\n"
    )
    assert run_in_fresh_interpreter(code).split()[-1] == "ok"


def test_the_preload_lists_every_module_of_the_app():
    names = set(app_modules())
    for package in ("rnn_core", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            if path.name != "__init__.py":
                assert module in names, f"the preload leaves out {module}"


def test_wait_blocks_until_the_preload_ends(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(ui.session.preload, "_STARTED", threading.Event())
    monkeypatch.setattr(ui.session.preload, "app_modules", lambda: release.wait() and [])
    monkeypatch.setattr(ui.session.preload, "import_first_optimizer", lambda: None)
    monkeypatch.setattr(ui.session.preload, "start_fork_server", lambda: None)
    assert preload_in_background(after_s=0) is not None
    waiter = threading.Thread(target=wait)
    waiter.start()
    waiter.join(timeout=0.3)
    assert waiter.is_alive()  # still waiting for the preload
    release.set()
    waiter.join(timeout=5)
    assert not waiter.is_alive()
    wait(timeout=0)  # and at once once it has ended


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
