"""phyphox's remote access on the wire: one bounded request, and its JSON read as numbers only.

One request at a time on a fresh connection (`Connection: close`: phyphox's server is single-
threaded and keeps no connection alive); no proxy, no redirect; a body over `max_bytes` is refused
before it is parsed. What comes back is checked field by field: nothing from the phone is used but
numbers, booleans and plain-text names (phyphox-docs docs/remote-interface/openapi.yaml).
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np

MAX_BODY_BYTES = 4 * 1024 * 1024  # a /get answer over this is refused, never parsed


class PhoneUnreachable(OSError):
    """Nothing answered at the address (refused, timed out, no route): retry later."""


class BadAnswer(ValueError):
    """The phone answered with something this client refuses: its message says what and why."""


class TooBig(BadAnswer):
    """An answer over the size bound: refused unread (the client then reads from now on)."""


@dataclass(frozen=True)
class Answer:
    """A /get answer, checked: each buffer's numbers, and the experiment's status."""

    buffers: dict[str, tuple[str, np.ndarray]]  # name -> (updateMode, (N,) floats, NaN for null)
    session: str  # changes when the user switches experiments
    measuring: bool


def fetch(host: str, port: int, path: str, timeout_s: float, max_bytes: int) -> bytes:
    """GET `path` (query included) and return the body; PhoneUnreachable or BadAnswer."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        connection.request("GET", path, headers={"Connection": "close", "Accept": "*/*"})
        response = connection.getresponse()
        body = _read_bounded(response, timeout_s, max_bytes)
    except (OSError, http.client.HTTPException) as e:  # refused, timed out, reset, cut short
        raise PhoneUnreachable(str(e) or type(e).__name__) from e
    finally:
        connection.close()
    if response.status != 200:
        reason = _error_text(body)
        raise BadAnswer(
            f"phyphox answered {path.split('?')[0]} with HTTP {response.status}{reason}: check "
            "that the address is phyphox's remote access (in phyphox: ⋮ > Allow remote access)."
        )
    return body


def _read_bounded(response: http.client.HTTPResponse, timeout_s: float, max_bytes: int) -> bytes:
    """The body, read in pieces with one deadline overall; BadAnswer past `max_bytes`."""
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise TooBig(_too_big(int(declared), max_bytes))
    deadline = time.monotonic() + 4 * timeout_s  # a phone dripping bytes still ends
    pieces, total = [], 0
    while True:
        piece = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        total += len(piece)
        if total > max_bytes:
            raise TooBig(_too_big(total, max_bytes))
        if time.monotonic() > deadline:
            raise PhoneUnreachable("the answer took too long to arrive")


def _too_big(size: int, max_bytes: int) -> str:
    return (
        f"phyphox's answer is over {max_bytes // 1024} KiB ({size} bytes or more) and was refused: "
        "streaming from the newest data on; clear the measurement in phyphox (the bin icon) to "
        "start afresh."
    )


def _error_text(body: bytes) -> str:
    """phyphox's JSON error object, as plain text, short (never trusted beyond that)."""
    try:
        error = json.loads(body[:2000].decode("utf-8"))["error"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return ""
    return f" ({str(error)[:120]!r})" if isinstance(error, str) else ""


def parse_json(body: bytes, what: str) -> object:
    """Strict JSON (no NaN/Infinity literals, UTF-8); BadAnswer saying what was malformed."""

    def refuse_constant(name: str) -> object:
        raise ValueError(f"non-JSON constant {name}")

    try:
        return json.loads(body.decode("utf-8"), parse_constant=refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise BadAnswer(
            f"phyphox's {what} answer is not valid JSON ({str(e)[:80]}): check that the address "
            "is phyphox's remote access and not another web server."
        ) from e


def buffer_names(config: object) -> list[str]:
    """The buffer names a /config answer lists (plain text, in its order)."""
    buffers = config.get("buffers") if isinstance(config, dict) else None
    if not isinstance(buffers, list):
        raise BadAnswer(
            "phyphox's /config answer lists no buffers: update phyphox (remote access /config "
            "needs phyphox 1.1.6 or newer)."
        )
    names = [b["name"] for b in buffers if isinstance(b, dict) and isinstance(b.get("name"), str)]
    return [name for name in names if name.isprintable() and len(name) <= 200]


def read_get(body: bytes) -> Answer:
    """A /get body checked: the buffers as float arrays (null -> NaN) and the status."""
    data = parse_json(body, "/get")
    if not isinstance(data, dict) or not isinstance(data.get("status"), dict):
        raise BadAnswer(_shape("it has no status"))
    status = data["status"]
    session, measuring = status.get("session"), status.get("measuring")
    if not isinstance(session, str) or not isinstance(measuring, bool):
        raise BadAnswer(_shape("its status lacks session or measuring"))
    raw = data.get("buffer")
    if not isinstance(raw, dict):
        raise BadAnswer(_shape("it has no buffer object"))
    buffers = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("buffer"), list):
            raise BadAnswer(_shape(f"buffer {name[:40]!r} is not a list of numbers"))
        mode = entry.get("updateMode")
        if mode not in ("full", "partial", "single"):
            raise BadAnswer(_shape(f"buffer {name[:40]!r} has an unknown updateMode"))
        buffers[name] = (mode, _numbers(name, entry["buffer"]))
    return Answer(buffers=buffers, session=session[:200], measuring=measuring)


def _numbers(name: str, values: list) -> np.ndarray:
    """(N,) floats from a JSON list of numbers and nulls (null: NaN, as phyphox's page reads it)."""
    for v in values:
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise BadAnswer(_shape(f"buffer {name[:40]!r} holds something other than numbers"))
    try:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    except OverflowError:  # an integer beyond float's range: not a measurement
        return np.array([np.nan if v is None or abs(v) > 1e308 else float(v) for v in values])


def _shape(problem: str) -> str:
    return (
        f"phyphox's /get answer is not what phyphox sends ({problem}): check that the address is "
        "phyphox's remote access, and update phyphox if it is old."
    )


def get_query(reads: list[tuple[str, str]]) -> str:
    """`/get?name=value&...` with names and values percent-encoded (`|` as %7C, as the docs ask)."""
    parts = [
        quote(name, safe="") + (f"={quote(value, safe='')}" if value else "")
        for name, value in reads
    ]
    return "/get?" + "&".join(parts)
