"""Which column is which: IMU column names of common tools, their units, and the tool behind them.

A name is split into a base and a unit ("Gyroscope X (deg/s)" -> "gyroscope_x", "deg/s"), then
matched against a small grammar: <sensor word>[_]<axis>[_<unit>], e.g. ax, acc_x, gyro_rad[0],
w_RS_S_x, field.angular_velocity.x, Acceleration x. The tool is told by its signature names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CHANNELS = ("ax", "ay", "az", "gx", "gy", "gz")  # accelerometer m/s^2, gyroscope rad/s (SI)
OPTIONAL = ("mx", "my", "mz", "roll", "pitch", "yaw", "qw", "qx", "qy", "qz")  # uT, rad, unit q
UNIT_KEYS = {
    "time_unit": ("s", "ms", "us", "ns"),
    "accel_unit": ("g", "m/s^2"),
    "gyro_unit": ("deg/s", "rad/s"),
}
FAMILY_KEYS = {"accel": CHANNELS[:3], "gyro": CHANNELS[3:], "mag": OPTIONAL[:3]}

_SUFFIX = "g|mg|ms2|m_s2|mps2|m_s_2|dps|deg_s|degs|deg|rad_s|rads|rad|raw|counts|lsb|ut|si"
_AXIS = rf"_?(?P<axis>[xyz012])(?:_(?P<unit>{_SUFFIX}))?$"
_WORDS = {
    "accel": "a|acc|accl|accel|accelerometer|acceleration|accelerometer_m_s2|a_rs_s|"
    "total_acceleration|totalacceleration|acc_total|imu_acc|raw_acc|acc_raw|accel_raw",
    "linear": "linear_acceleration|linearacceleration|linear_accel|lin_acc|user_acceleration",
    "gyro": "g|w|gyr|gyro|gyroscope|gyro_rad|angular_velocity|angularvelocity|w_rs_s|"
    "rotation_rate|rotationrate|omega|gyro_raw|raw_gyro|imu_gyro",
    "mag": "m|mag|magn|magnetometer|magnetic_field|magneticfield|magnetometer_ga|mag_raw",
}
_FAMILY = {f: re.compile(rf"^(?:{words}){_AXIS}") for f, words in _WORDS.items()}
_QUAT = re.compile(
    r"^(?:q|quat|quaternion|orientation|attitude|rotation|rotation_vector|game_rotation_vector)"
    r"_?(?P<comp>[wxyz])$"
)
_QUAT_INDEX = re.compile(r"^(?:q|quat|quaternion)_?(?P<index>[0-3])$")  # q0 = w (w first)
_EULER = re.compile(
    r"^(?P<which>roll|pitch|yaw|phi|theta|psi|heading|azimuth)(?:_(?P<unit>deg|rad|degrees|radians))?$"
)
_TIME_WORDS = (
    "header_stamp|stamp|timestamp|time_stamp|time|t|ts|seconds_elapsed|elapsed|elapsed_time|"
    "sample_time|datetime|date_time|epoch|millis|micros|nanos|ms|us|ns|sec|seconds"
)
_TIME = re.compile(
    rf"^(?P<word>{_TIME_WORDS})(?:_(?P<unit>s|sec|secs|seconds|ms|msec|millis|us|usec|micros|ns|nsec|nanos))?$"
)
_LABEL = re.compile(
    r"^(label|labels|activity|activity_label|activity_name|activity_id|class|class_label|"
    r"class_id|label_id|gesture)$"
)
# A 0/1 column that marks the movement phases of a trial (BROAD's `movement`): not an activity.
_MOTION = re.compile(r"^(movement|moving|motion|in_motion|is_moving|motion_phase)$")
_UNITS = {
    "time": {"s": "s", "sec": "s", "secs": "s", "seconds": "s", "second": "s", "ms": "ms",
             "msec": "ms", "millis": "ms", "us": "us", "usec": "us", "micros": "us", "ns": "ns",
             "nsec": "ns", "nanos": "ns"},
    "accel": {"g": "g", "mg": "mg", "m/s2": "m/s^2", "ms-2": "m/s^2", "m/s/s": "m/s^2",
              "mps2": "m/s^2", "ms2": "m/s^2", "m_s2": "m/s^2", "m_s_2": "m/s^2", "si": "m/s^2"},
    "gyro": {"deg/s": "deg/s", "dps": "deg/s", "degs-1": "deg/s", "deg/sec": "deg/s",
             "deg_s": "deg/s", "degs": "deg/s", "rad/s": "rad/s", "rads-1": "rad/s",
             "rad/sec": "rad/s", "rad_s": "rad/s", "rads": "rad/s", "si": "rad/s"},
    "mag": {"ut": "uT", "nt": "nT", "t": "T", "mt": "mT", "g": "gauss", "ga": "gauss",
            "gauss": "gauss", "mg": "mgauss"},
    "angle": {"deg": "deg", "degrees": "deg", "degree": "deg", "rad": "rad", "radians": "rad"},
}  # fmt: skip
_TIME_WORD_UNITS = {"millis": "ms", "micros": "us", "nanos": "ns", "ms": "ms", "us": "us",
                    "ns": "ns", "seconds_elapsed": "s", "seconds": "s", "sec": "s"}  # fmt: skip
_ORDER = ("time", *CHANNELS, *OPTIONAL, "motion", "label")
_WXYZ = ("w", "x", "y", "z")


@dataclass(frozen=True)
class Proposal:
    """What the names alone say: the tool, a mapping canonical key -> column, and known units."""

    source_format: str
    mapping: dict[str, str]
    units: dict[str, tuple[str, str]] = field(default_factory=dict)  # family -> (unit, why)
    gravity_removed: bool = False  # only linear acceleration (gravity taken out) was found
    notes: tuple[str, ...] = ()


def split_unit(name: str) -> tuple[str, str]:
    """("Gyroscope X", "deg/s") from "Gyroscope X (deg/s)"; an index like "[0]" stays put."""
    found = re.match(r"^(.*?)\s*[(\[]\s*([^)\]]*?)\s*[)\]]\s*$", name)
    if found and found.group(1) and not found.group(2).isdigit():
        return found.group(1), found.group(2)
    return name, ""


def name_key(name: str) -> str:
    """A column name reduced to lower-case words joined by '_' ("field.angular_velocity.x")."""
    key = re.sub(r"[^a-z0-9]+", "_", split_unit(name)[0].lower()).strip("_")
    return key.removeprefix("field_")


def unit_of(family: str, text: str) -> str | None:
    """The canonical unit of a unit text in a family ("m s^-2" -> "m/s^2"), or None."""
    text = text.lower().replace("µ", "u").replace("μ", "u").replace("°", "deg").replace("²", "2")
    return _UNITS[family].get(re.sub(r"[\s^*]", "", text))


def classify(name: str) -> tuple[str, str, str | None] | None:
    """(family, key, unit) of one column name, e.g. ("gyro", "gx", "deg/s"); None if unknown."""
    key, unit_text = name_key(name), split_unit(name)[1]
    if found := _TIME.match(key):
        word = found.group("word")
        unit = found.group("unit") or _TIME_WORD_UNITS.get(word, "")
        return "time", word, unit_of("time", unit_text or unit)
    for family, pattern in _FAMILY.items():
        if found := pattern.match(key):
            axis = (
                "xyz"[int(found.group("axis"))]
                if found.group("axis").isdigit()
                else found.group("axis")
            )
            unit_family = "accel" if family == "linear" else family
            unit = unit_of(unit_family, unit_text or found.group("unit") or "")
            return family, axis, unit
    if found := _QUAT.match(key):
        return "quat", "q" + found.group("comp"), None
    if found := _QUAT_INDEX.match(key):
        return "quat", "q" + "wxyz"[int(found.group("index"))], None
    if found := _EULER.match(key):
        which = {"phi": "roll", "theta": "pitch", "psi": "yaw", "heading": "yaw", "azimuth": "yaw"}
        angle = which.get(found.group("which"), found.group("which"))
        return "euler", angle, unit_of("angle", unit_text or found.group("unit") or "")
    if _LABEL.match(key):
        return "label", "label", None
    if _MOTION.match(key):
        return "motion", "motion", None
    return None


_TIME_RANK = ("header_stamp", "stamp", "timestamp", "time_stamp", "time", "t", "ts")
_KNOWN_UNITS = {  # units a tool's format fixes, when its header does not say them
    "ros": {"time": "ns", "accel": "m/s^2", "gyro": "rad/s", "mag": "T"},
    "px4": {"time": "us", "accel": "m/s^2", "gyro": "rad/s", "mag": "gauss"},
    "euroc": {"time": "ns", "accel": "m/s^2", "gyro": "rad/s"},
    "sensor-logger": {"time": "ns"},
}
_WHY_FORMAT = {
    "ros": "sensor_msgs/Imu fields are SI; rostopic stamps are nanoseconds",
    "px4": "PX4 sensor_combined: timestamp in microseconds, gyro_rad, accelerometer_m_s2",
    "euroc": "the EuRoC header",
    "sensor-logger": "Sensor Logger writes 'time' in nanoseconds",
}


def tool_of(keys: set[str]) -> str:
    """The tool a set of name keys comes from, by its signature names; "generic" otherwise."""
    if any("angular_velocity" in k for k in keys) and any("linear_acceleration" in k for k in keys):
        return "ros"
    if {"w_rs_s_x", "a_rs_s_x"} <= keys:
        return "euroc"
    if {"gyro_rad_0", "accelerometer_m_s2_0"} <= keys:
        return "px4"
    if {"accelerometer_x", "gyroscope_x"} <= keys:
        return "x-io"
    if keys & {"acceleration_x", "linear_acceleration_x", "gyroscope_x", "magnetic_field_x"}:
        return "phyphox"
    if "seconds_elapsed" in keys:
        return "sensor-logger"
    return "generic"


def _pick_time(found: list[tuple[str, tuple]]) -> tuple[str, str | None] | None:
    """The best time column (name, unit) among the classified names."""
    times = [(name, c) for name, c in found if c[0] == "time"]
    if not times:
        return None

    def rank(item):
        word = item[1][1]
        return _TIME_RANK.index(word) if word in _TIME_RANK else len(_TIME_RANK)

    name, (_, _, unit) = min(times, key=rank)
    return name, unit


def propose(names: tuple[str, ...] | list[str]) -> Proposal:
    """The mapping and units that the column names propose (nothing is read from the data)."""
    if names and all(re.fullmatch(r"column \d+", n) for n in names):
        return _headerless(names)
    source_format = tool_of({name_key(n) for n in names})
    found = [(n, c) for n in names if (c := classify(n))]
    mapping: dict[str, str] = {}
    units: dict[str, tuple[str, str]] = {}
    if time := _pick_time(found):
        mapping["time"] = time[0]
        if time[1]:
            units["time"] = (time[1], f"from the name '{time[0]}'")
    gravity_removed = _axes(found, source_format, mapping, units)
    _orientation(found, names, mapping, units)
    for family in ("motion", "label"):
        named = [name for name, c in found if c[0] == family]
        if named:
            mapping[family] = named[0]
    for family, unit in _KNOWN_UNITS.get(source_format, {}).items():
        if family not in units:
            units[family] = (unit, f"by the format ({_WHY_FORMAT[source_format]})")
    order = {k: i for i, k in enumerate(_ORDER)}
    mapping = dict(sorted(mapping.items(), key=lambda kv: order[kv[0]]))
    return Proposal(source_format, mapping, units, gravity_removed)


def _axes(found, source_format: str, mapping: dict, units: dict) -> bool:
    """Add accelerometer, gyroscope and magnetometer axes; True when gravity was taken out."""
    families = {family: {} for family in ("accel", "linear", "gyro", "mag")}
    for name, (family, axis, unit) in found:
        if family in families and axis not in families[family]:
            families[family][axis] = (name, unit)
    gravity_removed = False
    if len(families["accel"]) < 3 and len(families["linear"]) == 3:
        families["accel"] = families["linear"]
        gravity_removed = source_format != "ros"  # ROS linear_acceleration includes gravity
    for family, keys in FAMILY_KEYS.items():
        for key, axis in zip(keys, "xyz", strict=True):
            if axis in families[family]:
                mapping[key] = families[family][axis][0]
        header_unit = families[family].get("x", (None, None))[1]
        if header_unit:
            units[family] = (header_unit, f"from the header '{families[family]['x'][0]}'")
    return gravity_removed


def _orientation(found, names, mapping: dict, units: dict) -> None:
    """Add quaternion (all four parts, or bare w, x, y, z) and roll / pitch / yaw columns."""
    quat = {}
    for name, (family, key, _) in found:
        if family == "quat":
            quat.setdefault(key, name)
    if len(quat) < 4 and {"w", "x", "y", "z"} <= {n.strip().lower() for n in names}:
        quat = {"q" + n.strip().lower(): n for n in names if n.strip().lower() in _WXYZ}
    if len(quat) == 4:
        mapping.update(quat)
    for name, (family, key, unit) in found:
        if family == "euler" and key not in mapping:
            mapping[key] = name
            if unit and "angle" not in units:
                units["angle"] = (unit, f"from the name '{name}'")


def _headerless(names) -> Proposal:
    """No header: 6 columns are taken as ax..gz, 7 as a time column then ax..gz (Arduino order)."""
    keys = {6: CHANNELS, 7: ("time", *CHANNELS)}.get(len(names))
    if keys is None:
        return Proposal("arduino", {}, notes=("No header line, so no column could be named.",))
    note = f"No header: took the columns as {', '.join(keys)} (the usual serial-log order)."
    return Proposal("arduino", dict(zip(keys, names, strict=True)), notes=(note,))
