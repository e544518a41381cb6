"""A phone running phyphox with remote access on: its HTTP server, replaying a real recording.

Single-threaded like the phone (`http.server.HTTPServer`, one request at a time, HTTP/1.0: no
keep-alive), on 127.0.0.1 and an ephemeral port. `/config`, `/get`, `/control` and `/time` answer as
phyphox-android's RemoteServer.java does (see README.md beside this file). The recording plays in
real time (times `speed`) from when measuring starts; pauses are skipped, as phyphox's experiment
time skips them. Controls for tests: stop_measuring, clear, switch_experiment, go_down, come_back,
inject (the next answer replaced by given bytes). `overlaps` counts requests served while another
connection was already waiting: a serial client leaves it at 0.
"""

from __future__ import annotations

import json
import math
import secrets
import select
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl, urlsplit

import numpy as np

from tests.phones.recording import Recording, phone_number

STOCK = ("acc_time", "accX", "accY", "accZ", "gyr_time", "gyrX", "gyrY", "gyrZ")


class PhyphoxSimulator:
    """phyphox's remote access over `recording`; `.url`, `.port`; a context manager."""

    def __init__(
        self,
        recording: Recording,
        speed: float = 1.0,
        measuring: bool = True,
        names: dict[str, str | None] | None = None,
        port: int = 0,
    ) -> None:
        self.recording, self.speed = recording, speed
        self._lock = threading.Lock()
        self._series = {  # stock name -> (its time axis (N,), its values (N,))
            "acc_time": (recording.accel_time, recording.accel_time),
            "gyr_time": (recording.gyro_time, recording.gyro_time),
            **{
                f"acc{a}": (recording.accel_time, recording.accel[:, i])
                for i, a in enumerate("XYZ")
            },
            **{f"gyr{a}": (recording.gyro_time, recording.gyro[:, i]) for i, a in enumerate("XYZ")},
        }
        self._names = self._served(names)  # served name -> stock name
        self.session = secrets.token_hex(3)
        self._elapsed, self._since = 0.0, None  # experiment time before this run; run's start
        self._events: list[dict] = []  # /time: START and PAUSE events
        self._force_full = False  # after a clear: the next /get is answered in full
        self._injected: dict[str, tuple[int, bytes, bool]] = {}
        self.paths: list[str] = []  # every request's path, in order
        self.connection_headers: list[str | None] = []  # each request's Connection header
        self.overlaps = 0
        self.port = port
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.come_back()
        if measuring:
            self.start_measuring()

    @property
    def url(self) -> str:
        """http://127.0.0.1:port, as a user would type it."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> PhyphoxSimulator:
        return self

    def __exit__(self, *_: object) -> None:
        self.go_down()

    # the phone's buttons

    def experiment_time(self) -> float:
        """Seconds of measurement so far (pauses skipped), in the recording's time."""
        with self._lock:
            running = 0.0 if self._since is None else time.monotonic() - self._since
            return self._elapsed + running * self.speed

    @property
    def measuring(self) -> bool:
        """Whether play is pressed."""
        return self._since is not None

    def start_measuring(self) -> bool:
        """Play: experiment time runs on from where it paused."""
        with self._lock:
            if self._since is None:
                self._since = time.monotonic()
                self._events.append(self._event("START"))
        return True

    def stop_measuring(self) -> None:
        """Pause: experiment time stops; the buffers keep what they hold."""
        with self._lock:
            if self._since is not None:
                self._elapsed += (time.monotonic() - self._since) * self.speed
                self._since = None
                self._events.append(self._event("PAUSE"))

    def clear(self) -> None:
        """The bin icon: stop, empty buffers and time events; the next /get is answered in full."""
        with self._lock:
            self._since, self._elapsed, self._events = None, 0.0, []
            self._force_full = True

    def switch_experiment(
        self, names: dict[str, str | None] | None = None, measuring: bool = True
    ) -> None:
        """Another experiment: a new session id, empty buffers, `names` renaming (None: dropping)
        stock buffers; measuring at once unless told (on a phone the user presses play)."""
        self.clear()
        with self._lock:
            self._names, self.session, self._force_full = (
                self._served(names),
                secrets.token_hex(3),
                False,
            )
        if measuring:
            self.start_measuring()

    def go_down(self) -> None:
        """The phone's server goes away: the socket closes and connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def come_back(self) -> None:
        """The server answers again, on the same port (the first time: an ephemeral one)."""
        if self._server is None:
            self._server = HTTPServer(("127.0.0.1", self.port), _Handler)
            self._server.sim = self
            self._server.handle_error = lambda *_: None  # a client that hung up early is no error
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            self._thread.start()

    def inject(
        self, body: bytes, path: str = "/get", status: int = 200, length: bool = True
    ) -> None:
        """Answer the next request for `path` with `body` (with or without Content-Length)."""
        with self._lock:
            self._injected[path] = (status, body, length)

    # answers

    def _served(self, names: dict[str, str | None] | None) -> dict[str, str]:
        renamed = {stock: stock for stock in STOCK} | (names or {})
        return {served: stock for stock, served in renamed.items() if served is not None}

    def _event(self, kind: str) -> dict:
        return {"event": kind, "experimentTime": self._elapsed, "systemTime": time.time()}

    def _filled(self, stock: str, now: float) -> np.ndarray:
        """A buffer's contents now: the values whose time has passed (N,)."""
        times, values = self._series[stock]
        return values[: int(np.searchsorted(times, now, side="left"))]

    def answer(self, path: str) -> tuple[int, bytes, bool]:
        """(status, body, send Content-Length) for a request path, as the phone answers it."""
        route, query = urlsplit(path).path, urlsplit(path).query
        with self._lock:
            injected = self._injected.pop(route, None)
        if injected:
            return injected
        if route == "/get":
            return self._get(query)
        if route == "/config":
            return 200, json.dumps(self._config()).encode(), True
        if route == "/control":
            return 200, self._control(dict(parse_qsl(query, keep_blank_values=True))), True
        if route == "/time":
            with self._lock:
                return 200, json.dumps(self._events).encode(), True
        return 404, b'{"error": "Not found."}', True

    def _get(self, query: str) -> tuple[int, bytes, bool]:
        """RemoteServer.handleGet: per buffer, its last value, all of it, or the threshold form."""
        now, seen, reads = self.experiment_time(), set(), []
        params = parse_qsl(query, keep_blank_values=True)
        with self._lock:
            force_full, self._force_full = self._force_full, self._force_full and not params
            names = dict(self._names)
        for name, value in params:
            if name in seen:
                continue  # the first of a repeated name counts
            seen.add(name)
            reference, threshold = name, math.nan  # empty value: the last value only
            if value == "full" or (value and force_full):
                threshold = -math.inf
            elif value:
                number, _, ref = value.partition("|")
                reference = ref or name
                try:
                    threshold = float(number)
                except ValueError:
                    return 400, b'{"error": "Invalid threshold."}', True
                if math.isfinite(threshold) and threshold != 0:  # 8 digits sent: step past them
                    threshold += 10 ** math.floor(math.log10(abs(threshold) / 1e7))
            if name in names and reference not in names:
                return 400, b'{"error": "Unknown reference buffer."}', True
            if name in names:
                reads.append((name, names[name], names[reference], threshold))
        parts = [self._buffer(name, stock, ref, th, now) for name, stock, ref, th in reads]
        status = (
            f'"session":"{self.session}", "measuring":{str(self.measuring).lower()}, '
            '"timedRun":false, "countDown":0'
        )
        body = '{"buffer":{\n' + ",\n".join(parts) + '\n},\n"status":{\n' + status + "\n}\n}\n"
        return 200, body.encode(), True

    def _buffer(self, name: str, stock: str, reference: str, threshold: float, now: float) -> str:
        data = self._filled(stock, now)
        if math.isnan(threshold):
            mode, values = "single", [data[-1] if len(data) else math.nan]
        else:
            ref = self._filled(reference, now)
            n = min(len(data), len(ref))
            mode = "full" if math.isinf(threshold) else "partial"
            values = data[:n][~(ref[:n] <= threshold)]  # NaN references are not skipped (Java)
        text = ",".join(phone_number(v) for v in values)
        return f'"{name}":{{"size":0,"updateMode":"{mode}", "buffer":[{text}]}}'

    def _config(self) -> dict:
        with self._lock:
            names = dict(self._names)
        served = {stock: name for name, stock in names.items()}
        inputs = [
            {"source": source, "outputs": [{k: served[s]} for k, s in parts if s in served]}
            for source, parts in (
                ("accelerometer", [("x", "accX"), ("y", "accY"), ("z", "accZ"), ("t", "acc_time")]),
                ("gyroscope", [("x", "gyrX"), ("y", "gyrY"), ("z", "gyrZ"), ("t", "gyr_time")]),
            )
        ]
        return {
            "crc32": "5f1e2d3c",
            "title": "Acceleration and gyroscope (simulated)",
            "localTitle": "Acceleration and gyroscope (simulated)",
            "category": "Raw Sensors",
            "localCategory": "Raw Sensors",
            "buffers": [{"name": name, "size": 0} for name in names],
            "inputs": inputs,
            "export": [{"set": "Raw data", "sources": [{"label": n, "buffer": n} for n in names]}],
        }

    def _control(self, params: dict[str, str]) -> bytes:
        cmd = params.get("cmd")
        result = False
        if cmd == "start":
            result = self.start_measuring()
        elif cmd == "stop":
            self.stop_measuring()
            result = True
        elif cmd == "clear":
            self.clear()
            result = True
        return b'{"result": true}' if result else b'{"result": false}'


class _Handler(BaseHTTPRequestHandler):
    """One request, answered by the simulator (HTTP/1.0: the connection closes after it)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        sim: PhyphoxSimulator = self.server.sim
        waiting, _, _ = select.select([self.server.socket], [], [], 0)
        with sim._lock:
            sim.overlaps += bool(waiting)  # another connection came before this one was answered
            sim.paths.append(self.path)
            sim.connection_headers.append(self.headers.get("Connection"))
        status, body, length = sim.answer(self.path)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        """Quiet: tests read `paths` instead."""
