"""The Ray driver process: the one process that imports Ray, connects to the operator's cluster
and runs every Ray call of the sweeps sent there. The web server only talks to it over a pipe.

Why a process of its own: Ray's client in a driver ends its whole process when it loses the
cluster's control store (GCS) for `gcs_rpc_server_reconnect_timeout_s`, 60 s by default: the
channel check in `rpc_client.h` logs "Failed to connect to GCS within 60 seconds ... The program
will terminate." and calls `std::_Exit(EXIT_FAILURE)` from a C++ thread, which no Python code can
catch. Here that ends this process only; the server sees its pipe close and ends the sweep's
runs with a sentence.

    server --(start | stop | quit, pickled: the server's own objects)--> driver
    driver --(JSON reports; a run's final state as the bytes of `state_to_bytes`)--> server

Ray decodes what the cluster sends in this process only; the server reads JSON and loads a
final state with `torch.load(..., weights_only=True)`, so no object from a cluster is unpickled
in the server.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import threading
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POLL_S = 0.2  # how often the driver reads its runs' reports
STOPPED = "Stopped before the end (Stop)."
# Shipped to every worker as its working directory, so that it imports this project's modules;
# nothing else (no environment to build, no package to fetch: workers have requirements.txt).
PACKAGE_EXCLUDES = [".git", ".venv", "data", "test-artifacts", "tests", "*.png", "__pycache__"]


def runtime_env() -> dict:
    """What every worker gets: this project as its working directory (uploaded through the
    cluster's own store, never fetched from outside) and one torch thread per run."""
    return {
        "working_dir": str(PROJECT_ROOT),
        "excludes": PACKAGE_EXCLUDES,
        "env_vars": {"OMP_NUM_THREADS": "1"},
    }


def train_on_worker(spec, data):
    """The Ray task: say where it trains, then train the spec to its end and yield its final
    state as bytes (`state_to_bytes`: weights, history and settings, loadable weights-only)."""
    import torch

    from rnn_core.live.child import train_to_end
    from rnn_core.training.state import state_to_bytes

    torch.set_num_threads(1)
    where = {"host": socket.gethostname(), "pid": os.getpid()}
    yield where
    yield {**where, "state": state_to_bytes(train_to_end(replace(spec, data=data)))}


@dataclass
class _Remote:
    """One run sent to the cluster: its generator of reports, until it ends."""

    index: int
    reports: object  # ray.ObjectRefGenerator
    max_retries: int
    ended: bool = False


def serve(conn, address: str | None, num_cpus: int | None) -> None:
    """Entry point of the driver process: connect, then start, poll and stop runs as the
    server asks, until it says quit or goes away."""
    inbox: queue.Queue = queue.Queue()
    threading.Thread(target=_read_requests, args=(conn, inbox), daemon=True).start()
    try:
        ray = _connect(address, num_cpus)
    except Exception as err:  # any failure to connect is said to the server, then we end
        _send(conn, {"kind": "unreachable", "message": first_line(err)})
        return
    _send(conn, {"kind": "connected"})
    runs: dict[str, list[_Remote]] = {}
    while True:
        try:
            request = inbox.get(timeout=POLL_S)
        except queue.Empty:
            request = ("poll",)
        if request[0] == "quit":
            break
        _handle(ray, conn, runs, request)
        for sweep_id, remotes in runs.items():
            for remote in remotes:
                _poll(ray, conn, sweep_id, remote)
    ray.shutdown()


def _read_requests(conn, inbox: queue.Queue) -> None:
    """Move the server's requests into `inbox` as they come (a closed pipe means quit), so
    that the server's sends never wait on Ray."""
    while True:
        try:
            inbox.put(conn.recv())
        except (EOFError, OSError):
            inbox.put(("quit",))
            return


def _connect(address: str | None, num_cpus: int | None):
    os.environ.pop("RAY_ADDRESS", None)  # the address given is the only one used
    import ray  # optional: only the driver process imports it

    local = address in (None, "local")
    ray.init(
        address=None if local else address,
        num_cpus=num_cpus if local else None,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env=runtime_env(),
    )
    return ray


def _handle(ray, conn, runs: dict, request: tuple) -> None:
    """Start a sweep's runs (its data sent once) or cancel those of a sweep."""
    kind, sweep_id = request[0], request[1] if len(request) > 1 else None
    if kind == "start":
        _, _, specs, data, max_retries = request
        try:
            data_ref = ray.put(data)
            task = ray.remote(train_on_worker).options(
                num_cpus=1, max_retries=max_retries, num_returns="streaming"
            )
            runs[sweep_id] = [
                _Remote(i, task.remote(spec, data_ref), max_retries) for i, spec in enumerate(specs)
            ]
        except Exception as err:  # said to the server: the page shows it for every run
            _send(conn, {"kind": "sweep_failed", "sweep": sweep_id, "message": first_line(err)})
    elif kind == "stop":
        for remote in runs.pop(sweep_id, []):
            if not remote.ended:
                ray.cancel(remote.reports, force=True)


def _poll(ray, conn, sweep_id: str, remote: _Remote) -> None:
    """Send every report the run has ready."""
    while not remote.ended:
        ready, _ = ray.wait([remote.reports], timeout=0)
        if not ready:
            return
        report, state_bytes = _take(ray, remote)
        remote.ended = report["state"] != "training"
        _send(conn, {"kind": "report", "sweep": sweep_id, "index": remote.index, **report})
        if state_bytes is not None:
            conn.send_bytes(state_bytes)


def _take(ray, remote: _Remote) -> tuple[dict, bytes | None]:
    """The run's next report as plain values: where it trains, its end, or what ended it."""
    try:
        raw = ray.get(next(remote.reports))
    except StopIteration:  # ended without its final state: said, never silent
        return _ended("failed", "The run ended without reporting its result."), None
    except ray.exceptions.TaskCancelledError:
        return _ended("stopped", STOPPED), None
    except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as err:
        lost = f"The worker training it was lost ({type(err).__name__})"
        tries = f", and so were its {remote.max_retries} retries." if remote.max_retries else "."
        return _ended("failed", lost + tries), None
    except ray.exceptions.RayError as err:
        return _ended("failed", f"It failed on the cluster: {first_line(err)}"), None
    return _checked(raw)


def _checked(raw) -> tuple[dict, bytes | None]:
    """A worker's report reduced to a host name, a process id and the state's bytes: anything
    else a cluster sends is dropped, or fails the run with a sentence."""
    if not (isinstance(raw, dict) and isinstance(raw.get("pid"), int)):
        return _ended("failed", "The cluster sent a report this app does not read."), None
    where = {"host": str(raw.get("host", "?"))[:200], "pid": int(raw["pid"])}
    if "state" not in raw:
        return {"state": "training", "message": "", **where}, None
    if not isinstance(raw["state"], bytes):
        return {
            **_ended("failed", "The cluster sent a result this app does not read."),
            **where,
        }, None
    return {"state": "ended", "message": "", **where}, raw["state"]


def _ended(state: str, message: str) -> dict:
    return {"state": state, "message": message}


def _send(conn, message: dict) -> None:
    conn.send_bytes(json.dumps(message).encode())


def first_line(err: BaseException) -> str:
    """The last non-empty line of an error's text (Ray puts the cause last), at most 300
    characters, or the error's type when it has no text."""
    lines = [line for line in str(err).splitlines() if line.strip()]
    return lines[-1][:300] if lines else type(err).__name__
