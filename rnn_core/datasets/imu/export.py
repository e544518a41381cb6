"""One motion written the way common tools write it: their headers, units, delimiters, decimal
marks, clocks, axis conventions and quaternion order. Input is an SI frame as `simulate` makes it.

    fmt                    header (first columns)                    units         clock
    x-io                   Time (s), Gyroscope X (deg/s), ...        deg/s, g      s
    phyphox[-zip]          "Time (s)","Acceleration x (m/s^2)", ...  rad/s, m/s^2  s
    phyphox-decimal-comma  the same with ';' and 1,23                rad/s, m/s^2  s
    sensor-logger-zip      time,seconds_elapsed,z,y,x per sensor     rad/s, m/s^2  ns (Unix)
    arduino-raw            millis,ax,ay,az,gx,gy,gz                  counts        ms
    arduino                ax,ay,az,gx,gy,gz                         deg/s, g      none
    ros                    %time,field.header.seq,field.header.stamp,...  SI, q w last  ns
    euroc                  #timestamp [ns],w_RS_S_x [rad s^-1], ...  SI            ns
    px4                    timestamp,gyro_rad[0], ... (z reads -g)   SI            us
    generic                time,ax,ay,az,gx,gy,gz,roll,pitch,yaw     SI, rad       s
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from rnn_core.datasets.imu.simulator import G, body_from_world
from rnn_core.datasets.windows import DataError

DEG = np.pi / 180
FORMATS = (
    "x-io",
    "phyphox",
    "phyphox-decimal-comma",
    "phyphox-zip",
    "sensor-logger-zip",
    "arduino-raw",
    "arduino",
    "ros",
    "euroc",
    "px4",
    "generic",
)
UNIX_NS = 1_700_000_000_000_000_000  # a fixed Unix start, so exports are the same every run


def _csv(columns: dict, float_format: str = "%.6f", sep: str = ",", decimal: str = ".") -> bytes:
    """CSV bytes with '\\n' line ends; integer columns stay integers."""
    frame = pd.DataFrame(columns)
    text = frame.to_csv(
        index=False, sep=sep, decimal=decimal, float_format=float_format, lineterminator="\n"
    )
    return text.encode("utf-8")


def _zip(members: dict[str, bytes]) -> bytes:
    """A zip stored without compression and with fixed dates: the same bytes every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _parts(frame: pd.DataFrame):
    """(time s, accel (N, 3) m/s^2, gyro (N, 3) rad/s) of a frame."""
    return (
        frame["time"].to_numpy(np.float64),
        frame[["ax", "ay", "az"]].to_numpy(np.float64),
        frame[["gx", "gy", "gz"]].to_numpy(np.float64),
    )


def quaternion_from_euler(frame: pd.DataFrame) -> np.ndarray:
    """Unit quaternions (N, 4) as w, x, y, z of the frame's Z-Y-X roll, pitch and yaw."""
    half = frame[["roll", "pitch", "yaw"]].to_numpy(np.float64).T / 2  # (3, N)
    (cr, cp, cy), (sr, sp, sy) = np.cos(half), np.sin(half)
    return np.column_stack(
        [
            cr * cp * cy + sr * sp * sy,
            sr * cp * cy - cr * sp * sy,
            cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy,
        ]
    )


def _generic(frame: pd.DataFrame) -> bytes:
    columns = ["time", "ax", "ay", "az", "gx", "gy", "gz", "roll", "pitch", "yaw", "label"]
    return _csv({c: frame[c] for c in columns if c in frame})


def _xio(frame: pd.DataFrame) -> bytes:
    t, accel, gyro = _parts(frame)
    columns = {"Time (s)": t}
    columns.update({f"Gyroscope {a} (deg/s)": gyro[:, i] / DEG for i, a in enumerate("XYZ")})
    columns.update({f"Accelerometer {a} (g)": accel[:, i] / G for i, a in enumerate("XYZ")})
    return _csv(columns, "%.9g")


def _quoted(columns: dict, sep: str = ",", decimal: str = ".") -> bytes:
    """phyphox's layout: a quoted header, 10 significant digits in E notation."""
    body = _csv(columns, "%.9E", sep, decimal).split(b"\n", 1)[1]
    return sep.join(f'"{c}"' for c in columns).encode("utf-8") + b"\n" + body


def _axes(name: str, unit: str, values: np.ndarray) -> dict:
    """{"<name> x (<unit>)": values[:, 0], ...} in phyphox's words."""
    return {f"{name} {a} ({unit})": values[:, i] for i, a in enumerate("xyz")}


def _phyphox(frame: pd.DataFrame, sep: str = ",", decimal: str = ".") -> bytes:
    """One phyphox table: acceleration with g, then the gyroscope."""
    t, accel, gyro = _parts(frame)
    columns = {"Time (s)": t, **_axes("Acceleration", "m/s^2", accel)}
    return _quoted({**columns, **_axes("Gyroscope", "rad/s", gyro)}, sep, decimal)


def _phyphox_zip(frame: pd.DataFrame) -> bytes:
    """phyphox's zip export: one table per sensor, plus a meta folder."""
    t, accel, gyro = _parts(frame)
    accel_columns = {"Time (s)": t, **_axes("Acceleration", "m/s^2", accel)}
    accel_columns["Absolute acceleration (m/s^2)"] = np.linalg.norm(accel, axis=1)
    gyro_columns = {"Time (s)": t, **_axes("Gyroscope", "rad/s", gyro)}
    gyro_columns["Absolute (rad/s)"] = np.linalg.norm(gyro, axis=1)
    meta = b'"property","value"\n"version","1.1.11"\n"deviceModel","Simulated"\n'
    return _zip(
        {
            "Accelerometer.csv": _quoted(accel_columns),
            "Gyroscope.csv": _quoted(gyro_columns),
            "meta/device.csv": meta,
        }
    )


def _logger_table(t: np.ndarray, values: dict) -> bytes:
    """Sensor Logger's layout: Unix nanoseconds, seconds_elapsed, then the given columns."""
    columns = {"time": UNIX_NS + np.round(t * 1e9).astype(np.int64), "seconds_elapsed": t}
    columns.update(values)
    return _csv(columns, "%.9g")


def _sensor_logger_zip(frame: pd.DataFrame) -> bytes:
    """Accelerometer.csv without gravity, Gravity.csv, TotalAcceleration.csv, columns z, y, x."""
    t, accel, gyro = _parts(frame)
    angles = frame[["roll", "pitch", "yaw"]].to_numpy(np.float64).T  # (3, N)
    gravity = body_from_world(angles, np.tile([0.0, 0.0, G], (len(t), 1)))  # (N, 3)
    q = quaternion_from_euler(frame)

    def zyx(values):
        return {a: values[:, i] for i, a in zip((2, 1, 0), "zyx", strict=True)}

    orientation = {"qz": q[:, 3], "qy": q[:, 2], "qx": q[:, 1], "qw": q[:, 0]}
    orientation.update({k: frame[k].to_numpy() for k in ("roll", "pitch", "yaw")})
    return _zip(
        {
            "Accelerometer.csv": _logger_table(t, zyx(accel - gravity)),
            "Gravity.csv": _logger_table(t, zyx(gravity)),
            "Gyroscope.csv": _logger_table(t, zyx(gyro)),
            "Metadata.csv": b"version,device name,recording time\n3,Simulated,2023-11-14\n",
            "Orientation.csv": _logger_table(t, orientation),
            "TotalAcceleration.csv": _logger_table(t, zyx(accel)),
        }
    )


def _arduino(frame: pd.DataFrame, raw: bool) -> bytes:
    """MPU6050 serial log: counts (±2 g, ±250 deg/s) with millis, or g and deg/s without time."""
    t, accel, gyro = _parts(frame)
    if not raw:
        names = ("ax", "ay", "az", "gx", "gy", "gz")
        return _csv(dict(zip(names, [*(accel / G).T, *(gyro / DEG).T], strict=True)), "%.4f")
    accel_counts = np.clip(np.round(accel / G * 16384), -32768, 32767).astype(np.int64)
    gyro_counts = np.clip(np.round(gyro / DEG * 131), -32768, 32767).astype(np.int64)
    columns = {"millis": 1234 + np.round(t * 1000).astype(np.int64)}
    columns.update(zip(("ax", "ay", "az"), accel_counts.T, strict=True))
    columns.update(zip(("gx", "gy", "gz"), gyro_counts.T, strict=True))
    return _csv(columns)


def _ros(frame: pd.DataFrame) -> bytes:
    """`rostopic echo -p` of sensor_msgs/Imu: ns stamps, quaternion x, y, z, w, covariances."""
    t, accel, gyro = _parts(frame)
    stamp = UNIX_NS + np.round(t * 1e9).astype(np.int64)
    q = quaternion_from_euler(frame)
    columns = {"%time": stamp + 1_500_000, "field.header.seq": np.arange(len(t))}
    columns.update({"field.header.stamp": stamp, "field.header.frame_id": "imu_link"})
    for name, values, diagonal in (
        ("orientation", q[:, [1, 2, 3, 0]], 1e-4),
        ("angular_velocity", gyro, 2.5e-5),
        ("linear_acceleration", accel, 2.5e-3),
    ):
        columns.update(
            {f"field.{name}.{a}": values[:, i] for i, a in enumerate("xyzw"[: values.shape[1]])}
        )
        for k in range(9):
            columns[f"field.{name}_covariance{k}"] = diagonal if k in (0, 4, 8) else 0.0
    return _csv(columns, "%.9g")


def _euroc(frame: pd.DataFrame) -> bytes:
    """EuRoC MAV imu0/data.csv: ns stamps, gyroscope first."""
    t, accel, gyro = _parts(frame)
    columns = {"#timestamp [ns]": 1_403_636_579_758_555_392 + np.round(t * 1e9).astype(np.int64)}
    columns.update({f"w_RS_S_{a} [rad s^-1]": gyro[:, i] for i, a in enumerate("xyz")})
    columns.update({f"a_RS_S_{a} [m s^-2]": accel[:, i] for i, a in enumerate("xyz")})
    return _csv(columns, "%.17g")


def _px4(frame: pd.DataFrame) -> bytes:
    """ulog2csv sensor_combined: us since boot; the accelerometer reads -g on z at rest (NED)."""
    t, accel, gyro = _parts(frame)
    period_us = int(round(np.median(np.diff(t)) * 1e6)) if len(t) > 1 else 0
    columns = {"timestamp": 20_000_000 + np.round(t * 1e6).astype(np.int64)}
    columns.update({f"gyro_rad[{i}]": gyro[:, i] for i in range(3)})
    columns.update({"gyro_integral_dt": period_us, "accelerometer_timestamp_relative": 0})
    columns.update({f"accelerometer_m_s2[{i}]": -accel[:, i] for i in range(3)})
    columns.update({"accelerometer_integral_dt": period_us, "accelerometer_clipping": 0})
    columns.update({"gyro_clipping": 0, "accel_calibration_count": 1, "gyro_calibration_count": 1})
    return _csv(columns, "%.8g")


_WRITERS = {
    "x-io": _xio,
    "phyphox": _phyphox,
    "phyphox-decimal-comma": lambda frame: _phyphox(frame, ";", ","),
    "phyphox-zip": _phyphox_zip,
    "sensor-logger-zip": _sensor_logger_zip,
    "arduino-raw": lambda frame: _arduino(frame, raw=True),
    "arduino": lambda frame: _arduino(frame, raw=False),
    "ros": _ros,
    "euroc": _euroc,
    "px4": _px4,
    "generic": _generic,
}


def to_format(frame: pd.DataFrame, fmt: str) -> bytes:
    """The frame's motion (time, ax..gz in SI, roll pitch yaw in rad) as the bytes fmt writes."""
    if fmt not in _WRITERS:
        raise DataError(f"Unknown export format '{fmt}': use one of {', '.join(FORMATS)}.")
    missing = [c for c in ("time", "ax", "ay", "az", "gx", "gy", "gz") if c not in frame]
    needs_angles = fmt in ("ros", "sensor-logger-zip")
    missing += [c for c in ("roll", "pitch", "yaw") if needs_angles and c not in frame]
    if missing:
        raise DataError(f"The frame lacks {', '.join(missing)}: make it with simulate().")
    return _WRITERS[fmt](frame)
