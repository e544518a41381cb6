"""The receiver of Sensor Logger's HTTP push: a small web server of its own, on a port of its own.

PUSHING.md, "HTTP Push": Sensor Logger "sends a POST request to the supplied URL with content-type
'application/json'"; "It is recommended (but not required) for servers to respond with HTTP code
200"; its example server listens on `/data` (the URL typed into the phone: `address_for_phone()`).

A `ThreadingHTTPServer`: the phone may have the next push under way before the last is answered
(that is how its messages come out of order), and a slow or stalled sender must not hold the
others; each request's thread only reads, checks and hands the message to the session, whose lock
keeps the order. A request is read with a deadline (`REQUEST_TIMEOUT_S`) and a body bound.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer

from rnn_core.niceness import yield_this_thread
from rnn_core.phone.batches import SensorBatch
from rnn_core.phone.sensor_logger_http import make_handler
from rnn_core.phone.sensor_logger_message import MAX_ENTRIES, parse_message
from rnn_core.phone.sensor_logger_session import SessionAssembler

MIB = 1024 * 1024
PATH = "/data"
REQUEST_TIMEOUT_S = 5.0  # a sender this slow is cut off
TICK_S = 0.1  # how often held messages are checked for their window's end


class SensorLoggerReceiver:
    """Sensor Logger's pushes in, `SensorBatch`es per sensor out to `sink`; sentences to `say`."""

    def __init__(
        self,
        sink: Callable[[SensorBatch], None],
        say: Callable[[str], None],
        host: str = "0.0.0.0",
        port: int = 0,
        max_body: int = MIB,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.host, self.max_body, self.max_entries = host, max_body, max_entries
        self.lock = threading.Lock()  # the counters below and the last sentence
        self.last_sentence, self.sender = "", ""
        self.refused = {"oversized": 0, "malformed": 0, "wrong_request": 0}
        self._say_to = say
        self.session = SessionAssembler(sink, self.say)
        self.server = ThreadingHTTPServer((host, port), make_handler(self, PATH, REQUEST_TIMEOUT_S))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Serve in daemon threads: the server itself and a ticker that ends reorder windows."""
        serve = threading.Thread(target=self._serve)
        tick = threading.Thread(target=self._tick)
        self._threads = [serve, tick]
        for thread in self._threads:
            thread.daemon = True
            thread.start()

    def stop(self) -> None:
        """Stop serving, free the port, and release the messages still held."""
        self._stopped.set()
        if self._threads:
            self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=2.0)
        self.session.tick(now=float("inf"))

    def address_for_phone(self) -> str:
        """The URL to type into Sensor Logger's HTTP Push: this machine's LAN address."""
        return f"http://{lan_address()}:{self.port}{PATH}"

    def say(self, sentence: str) -> None:
        """Pass `sentence` on, once while it stays the same (the phone pushes often)."""
        with self.lock:
            if sentence == self.last_sentence:
                return
            self.last_sentence = sentence
        self._say_to(sentence)

    def status(self) -> dict:
        """Counters: messages, what was dropped and why, samples and rate (Hz) per sensor."""
        with self.session.lock:
            session = dict(self.session.counts)
            samples, rates = dict(self.session.samples), self.session.rates_hz()
            held = len(self.session.pending)
        with self.lock:
            refused, sentence, sender = dict(self.refused), self.last_sentence, self.sender
        dropped = {"repeated": session["repeated"], "late": session["late"]}
        dropped |= {"ended_session": session["ended_session"]} | refused
        return {
            "messages": session["messages"],
            "dropped": dropped,
            "held": held,
            "unknown_readings": session["unknown_readings"],
            "samples_out_of_order": session["samples_out_of_order"],
            "sink_errors": session["sink_errors"],
            "samples": samples,
            "rate_hz": rates,
            "last_sentence": sentence,
            "sender": sender,
            "session_id": self.session.session_id,
        }

    def refuse(self, kind: str, sentence: str) -> None:
        """Count a refused request and say why."""
        with self.lock:
            self.refused[kind] += 1
        self.say(sentence)

    def accept(self, body: bytes, sender: str) -> None:
        """Check a body and hand it to the session; a bad one raises `MessageError`."""
        message = parse_message(body, self.max_entries)
        with self.lock:
            self.sender = sender
        self.session.add(message)

    def _serve(self) -> None:
        yield_this_thread()  # its request threads inherit the niceness
        self.server.serve_forever(poll_interval=0.1)

    def _tick(self) -> None:
        yield_this_thread()
        while not self._stopped.wait(TICK_S):
            self.session.tick()


def lan_address() -> str:
    """This machine's address on its local network, found without sending a packet.

    Connecting a UDP socket only picks the route (no packet leaves); a private address is asked
    for, so no internet access is needed. Falls back to the hostname, then to 127.0.0.1.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        if address and not address.startswith("0."):
            return address
    except OSError:
        pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
