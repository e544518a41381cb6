"""Serve the app on a free localhost port for browser tests, and wait until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60.0) -> float:
    """Seconds until `url`/_stcore/health answers ok; raises after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"the app at {url} did not become healthy in {timeout} s")


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    """The app (`streamlit run app.py`, as `make run` serves it) headless on localhost:port,
    logging to log_path."""
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    env.setdefault("RNN_EXPLORER_PHONE_PORT", "0")  # the phone receiver on a free port: servers
    # started side by side (and anything else on 8765) never collide
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process by the caller's fixture
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@contextmanager
def served(log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """(url, process) of the app freshly started on a free port and answering; stopped on exit."""
    port = free_port()
    process = start_server(port, log_path)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=20)
