"""The HTTP side of the Sensor Logger receiver: only `POST /data` with a JSON body of bounded size.

Everything else is answered with its code and a sentence (plain text), never an exception: 404
another path, 405 another method, 415 another content type, 411 no length, 413 a body over the
bound (not read), 400 a body that is not a push of the expected shape. Nothing is logged.
"""

from __future__ import annotations

import contextlib
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rnn_core.phone.sensor_logger_message import MessageError

if TYPE_CHECKING:
    from rnn_core.phone.sensor_logger import SensorLoggerReceiver


def make_handler(
    receiver: SensorLoggerReceiver, path: str, timeout_s: float
) -> type[BaseHTTPRequestHandler]:
    """A request handler class that serves `path` for `receiver`."""

    class SensorLoggerHandler(BaseHTTPRequestHandler):
        """One request from the phone (or anyone on the network)."""

        timeout = timeout_s  # the socket's deadline for each read
        server_version = "RNNExplorerSensorLogger"
        sys_version = ""

        def do_POST(self) -> None:
            """Take a push: check the path, type and size, then the message."""
            try:
                self._post()
            except Exception as error:  # a bad request never ends the server thread
                self.close_connection = True
                with contextlib.suppress(Exception):
                    self._answer(500, f"the push failed ({type(error).__name__}): send it again")

        def _post(self) -> None:
            if urlsplit(self.path).path != path:
                self._refuse(404, "wrong_request", f"push to {path}: set that path in the app")
                return
            kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                self._refuse(415, "wrong_request", "the push is not application/json: send JSON")
                return
            length = _length(self.headers.get("Content-Length"))
            if length is None:
                self._refuse(411, "malformed", "the push has no Content-Length: send one")
                return
            if length > receiver.max_body:
                self.close_connection = True  # the body is not read
                self._refuse(
                    413,
                    "oversized",
                    f"a push of {length} bytes is over the {receiver.max_body} byte bound: "
                    "shorten Sensor Logger's batch period or turn off sensors not needed",
                )
                return
            body = self.rfile.read(length)
            try:
                receiver.accept(body, self.client_address[0])
            except MessageError as error:
                self._refuse(400, "malformed", f"a push was refused: {error}")
                return
            self._answer(200, "ok")

        def _not_allowed(self) -> None:
            if urlsplit(self.path).path == path:
                self._refuse(405, "wrong_request", f"{path} takes POST only: push with POST")
            else:
                self._refuse(404, "wrong_request", f"push to {path}: set that path in the app")

        do_GET = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

        def do_HEAD(self) -> None:
            """HEAD: as GET, without a body."""
            self._not_allowed()

        def _refuse(self, code: int, kind: str, sentence: str) -> None:
            receiver.refuse(kind, sentence)
            self._answer(code, sentence)

        def _answer(self, code: int, text: str) -> None:
            data = (text + "\n").encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Write nothing: what the phone sent is neither logged nor shown."""

    return SensorLoggerHandler


def _length(text: str | None) -> int | None:
    """A Content-Length header as a number of bytes, or None if missing or not a count."""
    if text is None or not (text.strip().isascii() and text.strip().isdigit()):
        return None
    return int(text.strip())
