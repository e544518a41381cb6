"""The connection from the server to its Ray driver processes (`ray_driver`): one per cluster
address, started, fed and read by a thread of the server, so that nothing on a page's script
thread waits on Ray, and the end of a driver (an unreachable cluster, a local Ray instance that
died, Ray's own exit after losing its GCS) ends the runs sent there with a sentence.

    RaySweep --submit / cancel--> Driver (a thread here) ==pipe==> driver process --Ray--> cluster
             <------hear / lost-- (JSON reports; a final state as bytes)
"""

from __future__ import annotations

import importlib.util
import json
import queue
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: ray_sweep imports this module
    from rnn_core.datasets.prepare import PreparedData
    from rnn_core.sweeps.ray_sweep import RaySweep

CONNECT_TIMEOUT_S = 120.0  # a driver not connected by then is ended, and its runs with it
_DRIVERS: dict[str | None, Driver] = {}  # address -> its driver process, while it lives
_LOCK = threading.Lock()


def cluster_name(address: str | None) -> str:
    """Where a sweep sent to `address` trains, as a sentence names it."""
    local = address in (None, "local")
    return "a Ray instance on this machine" if local else f"the Ray cluster at {address}"


def connect(address: str | None = None, num_cpus: int | None = None, timeout: float = 180.0):
    """Start the driver process for `address` ("local" or None: a Ray instance on this machine
    with `num_cpus`) and wait until it is connected; ConnectionError with a sentence when it
    cannot be. Sweeps start it themselves: this is for tests and benchmarks."""
    driver = driver_for(address, num_cpus)
    if not driver.connected.wait(timeout) or driver.problem:
        raise ConnectionError(driver.problem or f"{cluster_name(address)} did not answer.")
    return driver


def shutdown() -> None:
    """End every driver process (a local Ray instance ends with its driver)."""
    with _LOCK:
        drivers = list(_DRIVERS.values())
    for driver in drivers:
        driver.quit()


def driver_for(address: str | None, num_cpus: int | None = None) -> Driver:
    """The living driver process for `address`, started when there is none."""
    key = None if address in (None, "local") else address
    with _LOCK:
        if key not in _DRIVERS:
            if importlib.util.find_spec("ray") is None:
                raise ImportError("Ray is not installed")
            _DRIVERS[key] = Driver(key, num_cpus)
        return _DRIVERS[key]


class Driver:
    """This process's side of one driver process: a thread starts it, sends it requests and
    hands its reports to the sweeps they belong to."""

    def __init__(self, address: str | None, num_cpus: int | None) -> None:
        self.address, self._num_cpus = address, num_cpus
        self.connected = threading.Event()  # set once connected, or once it never will be
        self.problem: str | None = None  # why its runs ended, once they did
        self.pid: int | None = None  # of the driver process, once started
        self._outbox: queue.Queue = queue.Queue()
        self._sweeps: dict[str, RaySweep] = {}
        self._thread = threading.Thread(target=self._pump, name="rnn-ray-driver", daemon=True)
        self._thread.start()

    def submit(self, sweep: RaySweep, specs: list, data: PreparedData) -> None:
        """Send a sweep's runs; their reports go to `sweep`."""
        self._sweeps[sweep.id] = sweep
        self._outbox.put(("start", sweep.id, specs, data, sweep.max_retries))
        if self.problem:  # ended before the sweep was registered: say so to it too
            sweep.lost(self.problem)

    def cancel(self, sweep_id: str) -> None:
        """Cancel a sweep's runs on the cluster (their workers end at once)."""
        self._outbox.put(("stop", sweep_id))

    def quit(self) -> None:
        """Ask the driver process to disconnect and end, and wait for it (a hang guard)."""
        self._outbox.put(("quit",))
        self._thread.join(timeout=60)

    def _pump(self) -> None:
        from rnn_core.live.processes import training_context  # the fork server: torch loaded
        from rnn_core.sweeps.ray_driver import serve

        context = training_context()
        mine, theirs = context.Pipe()
        process = context.Process(
            target=serve, args=(theirs, self.address, self._num_cpus), daemon=True
        )
        try:
            process.start()
        except Exception as err:  # a sentence for every run, never a traceback
            self._end(f"{_unreachable(self.address)}: {err}")
            return
        theirs.close()
        self.pid = process.pid
        self._end(self._serve(process, mine) or _lost(self.address, process))

    def _serve(self, process, conn) -> str | None:
        """Pass requests and reports until the driver process ends; what ended it, if said."""
        started = time.monotonic()
        while True:
            try:
                while not self._outbox.empty():
                    conn.send(self._outbox.get_nowait())
                if conn.poll(0.1):
                    problem = self._receive(conn)
                    if problem:
                        return problem
            except (EOFError, OSError):
                process.join(timeout=5)
                return None
            if not process.is_alive() and not conn.poll(0):
                return None  # ended without closing its end of the pipe first
            waited = time.monotonic() - started
            if not self.connected.is_set() and waited > CONNECT_TIMEOUT_S:
                process.kill()
                return f"{_unreachable(self.address)}: no answer within {CONNECT_TIMEOUT_S:.0f} s."

    def _receive(self, conn) -> str | None:
        message = json.loads(conn.recv_bytes())
        kind = message.get("kind")
        if kind == "connected":
            self.connected.set()
        elif kind == "unreachable":
            return f"{_unreachable(self.address)}: {message.get('message', '')}"
        elif kind in ("report", "sweep_failed"):
            state = conn.recv_bytes() if message.get("state") == "ended" else None
            sweep = self._sweeps.get(str(message.get("sweep")))
            if sweep is not None:
                sweep.hear(message, state)
        return None

    def _end(self, problem: str) -> None:
        """Take this driver out of use and end every run it still had, with `problem`."""
        self.problem = problem
        self.connected.set()
        with _LOCK:
            if _DRIVERS.get(self.address) is self:
                del _DRIVERS[self.address]
        for sweep in list(self._sweeps.values()):
            sweep.lost(problem)


def _unreachable(address: str | None) -> str:
    if address is None:
        return "A Ray instance could not be started on this machine"
    return f"The Ray cluster at {address} could not be reached"


def _lost(address: str | None, process) -> str:
    return (
        f"The connection to {cluster_name(address)} was lost (its Ray driver process ended, "
        f"exit code {process.exitcode}): runs still waiting or training there ended; press "
        "Start to send them again."
    )
