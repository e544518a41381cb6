"""Attitude filters that follow the live stream row by row, the same code as the IMU lab's.

    rows (time, accel, gyro, segment) --update--> roll, pitch (deg) per row
    complementary: complementary_columns + complementary_steps, as `complementary_vertical` runs
                   them over a whole recording, carried from the last row of the previous chunk
    vqf:           the `vqf` package's VQF object kept between chunks (updateBatch continues its
                   state), as `vqf_vertical` runs it over a whole recording

A new segment (the stream's gap) restarts the filter, as the lab restarts it after a gap.
"""

from __future__ import annotations

import numpy as np

from rnn_core.datasets.imu import attitude_filters as hand
from rnn_core.datasets.imu.attitude import checked_gains, roll_pitch

LIVE_METHODS = ("complementary", "vqf")


class LiveAttitude:
    """Roll and pitch of the stream's rows, chunk after chunk, O(1) per row.

    method: "complementary" or "vqf"; period_s: the rows' sample period (1 / the stream's rate),
    which VQF takes fixed; gains: as ATTITUDE_METHODS names them (defaults when left out)."""

    def __init__(self, method: str = "complementary", period_s: float = 0.01, **gains) -> None:
        if method not in LIVE_METHODS:
            raise ValueError(f"A live filter is one of {', '.join(LIVE_METHODS)}, not {method!r}.")
        if not period_s > 0:
            raise ValueError(f"The rows' period must be positive seconds, not {period_s}.")
        self.method, self.period_s = method, period_s
        self.gains = checked_gains(method, gains)
        self.reset()

    def reset(self) -> None:
        """Forget the state: the next row starts the filter afresh."""
        self.segment: int | None = None
        self.last: tuple | None = None  # complementary: (time (1,), accel (1, 3), gyro (1, 3))
        self.up: tuple[float, float, float] | None = None  # complementary: the last vertical
        self.vqf = None

    def update(self, time, accel, gyro, segment=None) -> tuple[np.ndarray, np.ndarray]:
        """Roll and pitch (deg), each (M,), of the rows time (M,) s, accel (M, 3) m/s^2,
        gyro (M, 3) rad/s, in the segments `segment` (M,) (one segment when None)."""
        time = np.asarray(time, dtype=np.float64)
        accel, gyro = np.asarray(accel, np.float64), np.asarray(gyro, np.float64)
        segment = np.zeros(time.size, np.int64) if segment is None else np.asarray(segment)
        verticals = []
        # the chunk cut where the segment changes: each run continues or restarts the filter
        cuts = np.flatnonzero(np.diff(segment)) + 1
        for part in np.split(np.arange(time.size), cuts):
            if not part.size:
                continue
            if self.segment is not None and segment[part[0]] != self.segment:
                self.reset()
            self.segment = int(segment[part[0]])
            verticals.append(self._run(time[part], accel[part], gyro[part]))
        up = np.concatenate(verticals) if verticals else np.zeros((0, 3))  # (M, 3)
        roll, pitch = roll_pitch(up)
        return np.degrees(roll), np.degrees(pitch)

    def _run(self, time, accel, gyro) -> np.ndarray:
        """The vertical (m, 3) of one run of rows within a segment."""
        if self.method == "vqf":
            return self._vqf(accel, gyro)
        if self.up is None:  # the first row: the accelerometer alone, as the batch filter starts
            up, valid = hand.unit_rows(accel[:1])
            self.up = tuple(up[0].tolist()) if valid[0] else (0.0, 0.0, 1.0)
            self.last = (time[:1], accel[:1], gyro[:1])
            first = [self.up]
            time, accel, gyro = time[1:], accel[1:], gyro[1:]
        else:
            first = []
        if time.size:
            last_time, last_accel, last_gyro = self.last
            columns = hand.complementary_columns(
                np.concatenate([last_time, time]),
                np.concatenate([last_accel, accel]),
                np.concatenate([last_gyro, gyro]),
                self.gains["time_constant"],
            )
            flat, self.up = hand.complementary_steps(self.up, columns)
            self.last = (time[-1:], accel[-1:], gyro[-1:])
            first.extend(np.reshape(flat, (-1, 3)))
        return np.array(first, dtype=np.float64).reshape(-1, 3)

    def _vqf(self, accel, gyro) -> np.ndarray:
        """The vertical (m, 3) of VQF's 6D quaternion after each row."""
        if self.vqf is None:
            from vqf import VQF  # the compiled filter, as the lab's vqf_vertical imports it

            self.vqf = VQF(
                self.period_s, tauAcc=self.gains["tau_acc"], tauMag=self.gains["tau_mag"]
            )
        gyro, accel = (np.ascontiguousarray(a, dtype=np.float64) for a in (gyro, accel))
        return hand.vertical_of(self.vqf.updateBatch(gyro, accel)["quat6D"])  # (m, 4) -> (m, 3)
