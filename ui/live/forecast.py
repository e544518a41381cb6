"""The session's trained IMU model following the live rows: a LiveForecaster kept in the session,
made again when the model changes (another run, another step) or the phone's stream restarts."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from rnn_core.datasets.imu.prepare import IMU_INPUTS, ImuMeta
from rnn_core.evaluation.metrics import display_unit
from rnn_core.phone.hub import PhoneHub
from rnn_core.phone.live_model import LiveForecaster
from ui.session.experiment import seq_len
from ui.session.state import existing_experiment

KEY = "live.forecaster"  # session key: the Following below
SHOWN_ROWS = 2000  # the pairs kept for the chart (10 s at 200 Hz)
FILTER = "vqf"  # the live filter whose roll and pitch the model reads


@dataclass
class Following:
    """A forecaster, the rows it has taken, and (time, actual, forecast) for the chart."""

    key: tuple
    forecaster: LiveForecaster
    next_row: int | None = None
    segment: int | None = None
    pending: deque = field(default_factory=deque)  # forecasts (K,) waiting for their row
    pairs: deque = field(default_factory=lambda: deque(maxlen=SHOWN_ROWS))  # (t, actual, forecast)
    states: deque = field(default_factory=lambda: deque(maxlen=SHOWN_ROWS))  # (t, state (D*H,))
    # A page can be drawn by two script runs at once (a fragment's timer firing while a long
    # redraw has not yet reached a point where Streamlit stops it): one feeds, one reads at a time.
    lock: threading.Lock = field(default_factory=threading.Lock)


def trained_imu_model():
    """(experiment, model) when the session's experiment holds a model trained to forecast an IMU
    recording whose inputs the phone gives; else None."""
    experiment = existing_experiment()
    if experiment is None or not isinstance(experiment.data.meta, ImuMeta):
        return None
    task = experiment.data.meta.task
    if task.classify or not set(task.inputs) <= set(IMU_INPUTS):
        return None
    if not set(task.targets) <= set(task.inputs):
        return None
    model = experiment.model
    return None if model is None else (experiment, model)


def follow(hub: PhoneHub) -> Following | None:
    """Feed the session's forecaster the hub's rows since the last redraw; None without a model."""
    found = trained_imu_model()
    if found is None:
        st.session_state.pop(KEY, None)
        return None
    experiment, model = found
    key = (id(experiment), id(model), hub.generation)
    following = st.session_state.get(KEY)
    if following is None or following.key != key:
        meta = experiment.data.meta
        forecaster = LiveForecaster(model, experiment.data.standardizer, meta, seq_len())
        following = Following(key, forecaster)
        st.session_state[KEY] = following
    with following.lock:
        _feed(following, hub)
    return following


def _feed(following: Following, hub: PhoneHub) -> None:
    """Step the forecaster through the new rows (at most the last 10 s' worth at once)."""
    new = hub.rows_since(following.next_row, limit=SHOWN_ROWS)
    rows, angles = new.rows, new.angles[FILTER]  # angles (M, 2) degrees
    forecaster = following.forecaster
    targets, horizon = forecaster.targets, forecaster.meta.task.horizon
    for r in range(len(rows)):
        if not np.isfinite(angles[r]).all():
            continue
        if following.segment is not None and rows.segment[r] != following.segment:
            forecaster.reset()
            following.pending.clear()
            following.states.clear()
        following.segment = int(rows.segment[r])
        row = dict(zip(("roll", "pitch"), angles[r].tolist(), strict=True))
        row |= dict(zip(("ax", "ay", "az"), rows.accel[r].tolist(), strict=True))
        row |= dict(zip(("gx", "gy", "gz"), rows.gyro[r].tolist(), strict=True))
        values = forecaster.row_vector(row)  # (F,) SI
        actual = np.array([values[forecaster.inputs.index(n)] for n in targets])  # (K,)
        if len(following.pending) >= horizon:
            following.pairs.append((float(rows.time[r]), actual, following.pending.popleft()))
        forecast = forecaster.step(row)
        if forecast is not None:
            following.pending.append(forecast)
            following.states.append((float(rows.time[r]), forecaster.state))
    if len(rows):
        following.next_row = int(rows.number[-1]) + 1


def shown(following: Following, seconds: float = 10.0):
    """time (M,), actual (M, K), forecast (M, K) of the last `seconds` in each target's display
    unit (the IMU lab's: degrees, deg/s, m/s^2); the RMSE per target in it, and the units; None
    before any pair."""
    with following.lock:
        pairs, errors = _last(following.pairs, seconds), following.forecaster.rmse()
    if not pairs:
        return None
    targets = following.forecaster.targets
    factors = np.array([display_unit(t)[1] for t in targets])  # (K,) SI -> shown
    actual = np.stack([p[1] for p in pairs]) * factors  # (M, K)
    forecast = np.stack([p[2] for p in pairs]) * factors  # (M, K)
    rmse = {t: v * display_unit(t)[1] for t, v in errors.items()}
    units = {t: display_unit(t)[0] for t in targets}
    return np.array([p[0] for p in pairs]), actual, forecast, rmse, units


def shown_states(following: Following, seconds: float = 10.0):
    """time (M,) and the model's top-layer state (M, D*H) after each of the last `seconds` of
    rows; None before any."""
    with following.lock:
        states = _last(following.states, seconds)
    if not states:
        return None
    return np.array([s[0] for s in states]), np.stack([s[1] for s in states])


def _last(entries: deque, seconds: float) -> list:
    """The entries (time, ...) of the last `seconds` before the newest, oldest first (a copy)."""
    if not entries:
        return []
    newest = entries[-1][0]
    return [e for e in entries if e[0] >= newest - seconds]


def rate_sentence(following: Following, row_hz: float | None) -> str | None:
    """A sentence when the phone's rows come at another rate than the model was trained on
    (its next row is then another time ahead, and its inputs change at another pace)."""
    trained = following.forecaster.meta.sample_rate
    if not row_hz or not trained or abs(row_hz / trained - 1.0) < 0.02:
        return None
    ahead = following.forecaster.meta.task.horizon
    return (
        f"The model was trained on rows at {trained:g} Hz and the phone's rows come at "
        f"{row_hz:g} Hz: its forecast {ahead} row{'s' if ahead > 1 else ''} ahead is "
        f"{1000 * ahead / row_hz:.0f} ms here, not the {1000 * ahead / trained:.0f} ms it "
        "learned, so its error is not the one Evaluate measured. Record at this phone's rate "
        "and train on that recording for a fair forecast."
    )
