"""One Sensor Logger push read and checked field by field, before anything of it is used.

The shape (awesome-sensor-logger PUSHING.md, "HTTP Push" and "Typescript Payload Schema"):

    {messageId: number, sessionId: string, deviceId: string,
     payload: [{name: string, time: <UTC epoch nanoseconds>, values: {x, y, z}}, ...]}

Units (awesome-sensor-logger UNITS.md): "accelerometer" is acceleration WITHOUT gravity and
"gravity" the gravity vector, both m/s^2 (g = 9.80665 m/s^2); "totalacceleration" (Android's
TotalAcceleration) is acceleration WITH gravity in m/s^2; "gyroscope" is rad/s. So the values are
SI already and are taken as they are; which names make the "accel" stream is sensor_logger_gravity's
choice. Nothing of the message is executed or rendered: names are compared with known words only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

XYZ_NAMES = ("accelerometer", "gravity", "totalacceleration", "gyroscope")  # the names we use
MAX_ENTRIES = 10_000  # readings per message: 500 Hz x 4 sensors x a 5 s batch period
MAX_ID_TEXT = 200  # characters of a sessionId or deviceId
MAX_MESSAGE_ID = 2**53  # a JavaScript number counts exactly up to here
MAX_TIME_NS = 2**63  # epoch nanoseconds past this are no clock's


class MessageError(ValueError):
    """A push refused: its text is the sentence saying what the sender should change."""


@dataclass
class Message:
    """A checked push: its readings of the sensors we use, per name, in the order sent."""

    message_id: int
    session_id: str
    device_id: str
    times: dict[str, list[int]] = field(default_factory=dict)  # name -> N epoch ns
    values: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)  # N x 3
    unknown: int = 0  # readings of sensors we do not use (location, battery...), ignored

    def arrays(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The readings of `name`: (N,) int64 epoch ns and (N, 3) float64 x, y, z."""
        times = np.array(self.times.get(name, []), dtype=np.int64)  # (N,)
        values = np.array(self.values.get(name, []), dtype=np.float64).reshape(-1, 3)  # (N, 3)
        return times, values


def _refuse_constant(text: str) -> None:
    raise MessageError(f"the message holds {text}: send finite numbers only")


def parse_message(body: bytes, max_entries: int = MAX_ENTRIES) -> Message:
    """Read a push body into a `Message`, or raise `MessageError` with a sentence."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except MessageError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise MessageError(
            f"the body is not JSON ({type(error).__name__}): send the push as JSON"
        ) from None
    if not isinstance(data, dict):
        raise MessageError("the body is not a JSON object: send {messageId, sessionId, payload}")
    message = Message(
        message_id=_count(data.get("messageId"), "messageId", MAX_MESSAGE_ID),
        session_id=_text(data.get("sessionId"), "sessionId", required=True),
        device_id=_text(data.get("deviceId", ""), "deviceId", required=False),
    )
    payload = data.get("payload")
    if not isinstance(payload, list):
        raise MessageError("payload is not a list: send payload as a list of readings")
    if len(payload) > max_entries:
        raise MessageError(
            f"payload holds {len(payload)} readings, over {max_entries}: "
            "shorten Sensor Logger's batch period"
        )
    for index, entry in enumerate(payload):
        _add_entry(message, entry, index)
    return message


def _add_entry(message: Message, entry: object, index: int) -> None:
    if not isinstance(entry, dict):
        raise MessageError(f"payload[{index}] is not an object: send {{name, time, values}}")
    name = entry.get("name")
    if not isinstance(name, str):
        raise MessageError(f"payload[{index}].name is not text: name each reading's sensor")
    if name not in XYZ_NAMES:
        message.unknown += 1
        return
    time_ns = _count(entry.get("time"), f"payload[{index}].time", MAX_TIME_NS)
    values = entry.get("values")
    if not isinstance(values, dict):
        raise MessageError(f"payload[{index}].values is not an object: send values {{x, y, z}}")
    xyz = tuple(_number(values.get(axis), f"payload[{index}].values.{axis}") for axis in "xyz")
    message.times.setdefault(name, []).append(time_ns)
    message.values.setdefault(name, []).append(xyz)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: object, where: str) -> float:
    if not _is_number(value) or not math.isfinite(value):
        raise MessageError(f"{where} is not a finite number: send x, y and z as numbers")
    return float(value)


def _count(value: object, where: str, limit: int) -> int:
    """A whole number 0 <= n < limit (a JavaScript number may arrive as 1.7e18: taken whole)."""
    if not _is_number(value) or not math.isfinite(value) or value != int(value):
        raise MessageError(f"{where} is not a whole number: send it as an integer")
    if not 0 <= int(value) < limit:
        raise MessageError(f"{where} is {int(value)}, outside 0 to {limit}: send a valid count")
    return int(value)


def _text(value: object, where: str, required: bool) -> str:
    if not isinstance(value, str) or len(value) > MAX_ID_TEXT or (required and not value):
        raise MessageError(f"{where} is not text of 1 to {MAX_ID_TEXT} characters: send an id")
    return value


def plain(text: str, limit: int = 40) -> str:
    """`text` from the phone made fit for a sentence: printable characters only, shortened."""
    kept = "".join(c for c in text if c.isprintable())
    return kept[:limit] + ("..." if len(kept) > limit else "")
