"""Acceleration with gravity from what Sensor Logger sends, in m/s^2.

awesome-sensor-logger UNITS.md, "Accelerometer": "Accelerometer.csv: measures acceleration
_without_ gravity"; "TotalAcceleration.csv: measures acceleration _with_ gravity included" (Android
only); "On iOS ... You may create acceleration with gravity by combining the Accelerometer and
Gravity sensor readings". So: "totalacceleration" when the phone sends it (it then wins for the
rest of the session), else "accelerometer" + "gravity", gravity linearly interpolated at each
accelerometer time. An accelerometer sample waits until gravity has reached its time.
"""

from __future__ import annotations

import numpy as np

MAX_WAITING = 4096  # accelerometer samples held while no gravity covers them; older are dropped


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros((0, 3))  # (0,) ns, (0, 3)


class AccelerationWithGravity:
    """Turns one session's readings, in time order per name, into acceleration with gravity."""

    def __init__(self) -> None:
        self.total_seen = False  # the phone sends "totalacceleration": use it alone
        self.user_t, self.user_v = _empty()  # (N,) ns, (N, 3): accelerometer waiting for gravity
        self.grav_t, self.grav_v = _empty()  # (M,) ns, (M, 3): gravity that may still be needed
        self.dropped = 0  # accelerometer samples that waited too long for gravity

    def take(self, parts: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
        """Acceleration with gravity ready now: ((N,) epoch ns, (N, 3) m/s^2), in time order."""
        total_t, total_v = parts.get("totalacceleration", _empty())
        if len(total_t) or self.total_seen:
            if len(total_t) and not self.total_seen:
                self.total_seen = True
                (self.user_t, self.user_v), (self.grav_t, self.grav_v) = _empty(), _empty()
            return total_t, total_v
        user_t, user_v = parts.get("accelerometer", _empty())
        grav_t, grav_v = parts.get("gravity", _empty())
        self.user_t = np.concatenate([self.user_t, user_t])
        self.user_v = np.concatenate([self.user_v, user_v])
        self.grav_t = np.concatenate([self.grav_t, grav_t])
        self.grav_v = np.concatenate([self.grav_v, grav_v])
        if not len(self.grav_t):
            self._cap()
            return _empty()
        ready = self.user_t <= self.grav_t[-1]  # (N,) gravity known at these times
        times, user = self.user_t[ready], self.user_v[ready]
        origin = self.grav_t[0]  # subtract as integers: float64 keeps the nanoseconds
        at, known = (times - origin).astype(np.float64), (self.grav_t - origin).astype(np.float64)
        gravity = np.stack([np.interp(at, known, self.grav_v[:, k]) for k in range(3)], axis=1)
        self.user_t, self.user_v = self.user_t[~ready], self.user_v[~ready]
        self._keep_needed_gravity()
        return times, user + gravity  # (N,), (N, 3)

    def _keep_needed_gravity(self) -> None:
        """Keep the gravity sample just before the next waiting one (or the last) and after."""
        after = self.user_t[0] if len(self.user_t) else self.grav_t[-1]
        first = max(int(np.searchsorted(self.grav_t, after, side="right")) - 1, 0)
        self.grav_t, self.grav_v = self.grav_t[first:], self.grav_v[first:]

    def _cap(self) -> None:
        extra = len(self.user_t) - MAX_WAITING
        if extra > 0:
            self.dropped += extra
            self.user_t, self.user_v = self.user_t[extra:], self.user_v[extra:]
