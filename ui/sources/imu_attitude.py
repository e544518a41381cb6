"""The Data page's attitude knobs for an IMU recording: which filter gives the model its roll and
pitch (or the truth, to teach), the filter's gains and magnetometer, and where the test part
sits."""

from __future__ import annotations

import streamlit as st

from rnn_core.datasets.imu.table import TRUTH_INPUT
from rnn_core.evaluation.baselines import ATTITUDE_METHODS
from ui.session.settings import IMU_ATTITUDES
from ui.session.state import PERSIST, chosen, setting, widget


def attitude_from_settings(has_truth: bool) -> str:
    """The attitude source the settings choose (a filter when the file has no truth)."""
    key = chosen("imu.attitude")
    return "vqf" if key == TRUTH_INPUT and not has_truth else key


def test_block_from_settings(key: str = "imu.test_at") -> float | None:
    """Where the setting `key` (a percent of the rows) puts the test part: None for the end (the
    default), else a share."""
    percent = float(setting(key))
    return None if percent >= 85 else percent / 100


def filter_controls(method: str, has_mag: bool) -> tuple[tuple[tuple[str, float], ...], bool]:
    """The chosen filter's gains (those that leave its defaults) and whether it reads the
    magnetometer (offered when the file has one and the filter can use it)."""
    if method == TRUTH_INPUT:
        return (), False
    spec = ATTITUDE_METHODS[method]
    changed = []
    with st.expander(f"{spec.label}: gains", expanded=False):
        columns = st.columns(max(1, len(spec.gains)))
        for column, gain in zip(columns, spec.gains, strict=False):
            value = column.number_input(
                gain.name.replace("_", " "),
                float(gain.minimum),
                float(gain.maximum),
                float(gain.default),
                format="%g",
                key=f"imu.gain.{method}.{gain.name}",
                persist_state="session",  # kept while another page is shown
                help=gain.help,
            )
            if value != gain.default:
                changed.append((gain.name, float(value)))
        use_mag = False
        if has_mag and spec.uses_magnetometer:
            use_mag = st.checkbox(
                "Use the magnetometer",
                key=f"imu.mag.{method}",
                persist_state="session",
                help="It corrects heading; roll and pitch hardly change (a disturbed field can "
                "even pull them off).",
            )
        st.caption("The Evaluate page scores every filter at its default gains.")
    return tuple(changed), use_mag


def attitude_controls(has_truth: bool) -> str:
    """Where the model's roll and pitch inputs come from; the truth only when the file has one."""
    options = [a for a in IMU_ATTITUDES if has_truth or IMU_ATTITUDES[a] != TRUTH_INPUT]
    if setting("imu.attitude") not in options:
        st.session_state[PERSIST + "imu.attitude"] = options[0]
    st.selectbox(
        **widget("imu.attitude", options=options),
        help="What a device would have: an attitude filter's estimate from the accelerometer and "
        "gyroscope (VQF is the most accurate on the BROAD benchmark). The ground truth as input "
        "is for teaching only: no device has it. Targets are always the truth when the file has "
        "one.",
    )
    return attitude_from_settings(has_truth)
