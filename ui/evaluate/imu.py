"""The Evaluate page's scores: forecasts beside baselines with intervals, attitude against the
ground truth, or accuracy and confusion."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import streamlit as st

from rnn_core.datasets.imu.attitude import filter_rate
from rnn_core.datasets.imu.prepare import ImuMeta, ImuTable
from rnn_core.datasets.imu.reader import ImuRecording
from rnn_core.datasets.imu.samples import SETTLE_SECONDS
from rnn_core.datasets.imu.table import attitude_label
from rnn_core.datasets.prepare import PreparedData
from rnn_core.evaluation.baselines import ATTITUDE_METHODS
from rnn_core.evaluation.imu import (
    ActivityEvaluation,
    ForecastEvaluation,
    evaluate_activity,
    evaluate_forecast,
    unseen_forecasts,
)
from rnn_core.evaluation.imu_scores import (
    BEATS,
    BLOCKS,
    GIMBAL_MARGIN_DEG,
    SCORE_COLUMNS,
    TOO_FEW,
    WITHIN_NOISE,
    WORSE,
)
from rnn_core.evaluation.imu_truth import (
    ATTITUDE_COLUMNS,
    attitude_scores,
    filter_estimates,
    scored_rows,
)
from rnn_core.figures.attitude import attitude_figure
from rnn_core.figures.imu import confusion_figure, prediction_figure
from rnn_core.models import SequenceModel
from ui.evaluate.common import say_verdict, scored_once
from ui.session.charts import chart

NUMBER_COLUMNS = [c for c in SCORE_COLUMNS if "RMSE" in c]
MAIN_COLUMNS = (
    "target (unit)",
    "model RMSE",
    "persistence RMSE",
    "gyro propagation RMSE",
    "model − best, 95% interval",
    "verdict",
)
SPLIT_COLUMNS = (
    "target (unit)",
    "model RMSE at rest",
    "baseline RMSE at rest",
    "model RMSE in motion",
    "baseline RMSE in motion",
    "windows with truth",
)
VERDICT_WORDS = {
    BEATS: "beats {best}",
    WORSE: "is worse than {best}",
    WITHIN_NOISE: "cannot be told from {best} (the difference is within noise)",
    TOO_FEW: "cannot be compared with {best}: too few test windows",
}


def show_evaluation(
    model: SequenceModel, data: PreparedData, table: ImuTable, token: Hashable, key: str
) -> ForecastEvaluation | None:
    """Score the model on the test part (once per token) and show it; the forecast evaluation, or
    None for an activity classifier."""
    meta: ImuMeta = data.meta
    score = evaluate_activity if meta.task.classify else evaluate_forecast
    result = scored_once(key, token, "Scoring the test part…", lambda: score(model, data, table))
    if isinstance(result, ActivityEvaluation):
        _show_activity(result, key)
        return None
    _show_forecast(result, key)
    return result


def _show_forecast(result: ForecastEvaluation, key: str) -> None:
    """The score table, one sentence per target from its interval, and the forecast chart."""
    shown = result.table.copy()
    for column in NUMBER_COLUMNS:  # text, so a missing score reads "–"
        shown[column] = [f"{v:.4g}" if np.isfinite(v) else "–" for v in shown[column]]
    shown.insert(
        0, "target (unit)", [f"{t} ({u})" for t, u in zip(shown.target, shown.unit, strict=True)]
    )
    st.table(shown[list(MAIN_COLUMNS)].set_index("target (unit)"))
    st.markdown("**At rest and in motion** (RMSE; the best baseline as above)")
    split = shown[list(SPLIT_COLUMNS)].set_index("target (unit)")
    if result.reference != "truth":  # a filter's estimate is no truth: say what was there
        split = split.rename(columns={"windows with truth": "windows with a target value"})
    st.table(split)
    for sentence, verdict in verdict_sentences(result.table):
        say_verdict(sentence, verdict)
    for sentence in left_out_sentences(result):
        st.info(sentence)
    reference = result.reference_name("roll")
    st.caption(
        f"RMSE in degrees (roll, pitch, against the {reference}) and deg/s (gyroscope) over the "
        "test windows whose target has a value. Persistence repeats what a device has at the "
        "window's last step; gyro "
        "propagation carries that attitude forward with the last gyro reading (a filter's "
        "predict step). The interval is the 95 % range of RMSE(model) − RMSE(best baseline) over "
        f"{BLOCKS} contiguous blocks of test windows resampled: 'beats' only when all of it is "
        "below zero. At rest and in motion: the file's movement phases, else a rotation rate "
        "above 11 deg/s."
    )
    target = st.selectbox("Target to plot", list(result.targets), key=f"{key}.target")
    k = result.targets.index(target)
    chart(
        prediction_figure(
            result.time,
            result.truth[:, k],
            result.prediction[:, k],
            result.persistence[:, k],
            target,
            result.propagation[:, k] if target in ("roll", "pitch") else None,
            truth_name=result.reference_name(target),
        ),
        key=f"{key}.chart",
    )


def left_out_sentences(result: ForecastEvaluation) -> list[str]:
    """Sentences on the test windows left out of scores: gimbal lock (roll), filters settling."""
    out = []
    if result.gimbal_windows:
        share = result.gimbal_windows / max(len(result.time), 1)
        out.append(
            f"{result.gimbal_windows:,} test window(s) ({share:.1%}) "
            f"have a pitch within {GIMBAL_MARGIN_DEG:g}° of ±90°, where roll is undefined (gimbal "
            "lock): they are left out of the roll scores of the model and of every baseline alike; "
            "pitch and the gyroscope keep them."
        )
    if result.settling_windows:
        out.append(
            f"{result.settling_windows:,} test window(s) fall in the first {SETTLE_SECONDS:g} s "
            "after a gap, where every attitude filter has restarted and is still settling: left "
            "out of the roll and pitch scores."
        )
    return out


def verdict_sentences(table) -> list[tuple[str, str]]:
    """(sentence, verdict) per verdict and baseline, targets joined: "On gx, gy, the model beats
    persistence." in the order the table first names them."""
    groups: dict[tuple[str, str], list[str]] = {}
    for row in table.to_dict("records"):
        groups.setdefault((row["verdict"], row["best baseline"]), []).append(row["target"])
    return [
        (f"On {', '.join(targets)}, the model {VERDICT_WORDS[verdict].format(best=best)}.", verdict)
        for (verdict, best), targets in groups.items()
    ]


def show_truth_scores(
    recording: ImuRecording, model: SequenceModel, data: PreparedData, table: ImuTable, key: str
) -> None:
    """Every attitude filter and the model against the ground truth on the test part, and roll
    and pitch over the whole recording; without a truth, a sentence saying what cannot be said."""
    if table.truth is None:
        st.info(
            "This recording has no ground-truth orientation, so the filters can only be "
            "compared with each other, and the model's roll and pitch targets are "
            f"{attitude_label(table.attitude_source)}'s estimate, not the truth."
        )
        return
    estimates = _estimates(recording, key)
    unseen = unseen_forecasts(model, data)
    rows = data.meta.target_rows["test"]
    model_rows = None
    if unseen is not None:
        on_test = np.isin(unseen[0], rows)
        model_rows = unseen[1][on_test]
        rows = unseen[0][on_test]
    scores = attitude_scores(table, rows, estimates, model_rows)
    motion_said = "the file's movement phases" if table.motion is not None else "motion"
    scores["ran at"] = [
        f"{table.sample_rate:g} Hz, the model's steps"
        if name.startswith("the model")
        else filter_rate(recording)
        for name in scores["estimator"]
    ]
    st.table(
        scores.set_index("estimator").style.format(
            {c: "{:.3g}" for c in ATTITUDE_COLUMNS[1:-1]}, na_rep="–"
        )
    )
    st.caption(
        "Against the file's ground truth on the test part: RMSE in degrees of the inclination "
        "(the angle between the true and the estimated vertical, heading-free, as BROAD scores "
        f"it: the headline number), roll and pitch, also over {motion_said}. Each filter ran at "
        f"{filter_rate(recording)}, on the samples as read, as a device runs it; its estimate "
        "is then taken at the model's steps (column 'ran at'). A filter's "
        "number is its estimate at the row itself; the model's is its forecast of that row from "
        "the window before it."
    )
    for sentence in truth_left_out(table, rows):
        st.info(sentence)
    labels = {ATTITUDE_METHODS[m].label: e for m, e in estimates.items()}
    best = scores.iloc[1:]["inclination RMSE (deg)"].idxmin() if len(scores) > 1 else None
    chart(
        attitude_figure(
            table.time,
            table.truth[["roll", "pitch"]].to_numpy(),
            labels,
            None if unseen is None else table.time[unseen[0]],
            None if unseen is None else unseen[1],
            shown=() if best is None else (scores.loc[best, "estimator"],),
        ),
        key=f"{key}.attitude_chart",
    )
    st.caption("Click a name in the legend to show or hide that filter.")


def truth_left_out(table: ImuTable, rows) -> list[str]:
    """Sentences on the test rows left out of the truth scores: roll at gimbal lock."""
    known, defined = scored_rows(table, rows)
    locked = int(known.sum() - defined.sum())
    if locked == 0:
        return []
    return [
        f"{locked:,} test row(s) ({locked / max(int(known.sum()), 1):.1%}) have a true pitch "
        f"within {GIMBAL_MARGIN_DEG:g}° of ±90°, where roll is undefined (gimbal lock): they are "
        "left out of every roll RMSE (model and filters alike); inclination and pitch keep them."
    ]


def _estimates(recording: ImuRecording, key: str) -> dict:
    """Every filter's roll and pitch over the recording, computed once per recording."""
    kept = st.session_state.get(f"{key}.estimates")
    token = id(recording)
    if kept is None or kept[0] != token:
        with st.spinner("Running every attitude filter over the recording…"):
            kept = (token, filter_estimates(recording))
        st.session_state[f"{key}.estimates"] = kept
    return kept[1]


def _show_activity(result: ActivityEvaluation, key: str) -> None:
    """Accuracy beside the majority class, per-class recall, and the confusion matrix."""
    c1, c2 = st.columns(2)
    c1.metric("Accuracy (test part)", f"{result.accuracy:.1%}")
    majority = result.majority_accuracy
    c2.metric("Majority-class baseline", "–" if np.isnan(majority) else f"{majority:.1%}")
    if not np.isnan(majority) and result.accuracy <= majority:
        st.error(
            "The classifier does not beat always answering the most common training label: "
            "train longer or use longer windows."
        )
    st.dataframe(
        result.report.style.format({"recall": "{:.1%}", "precision": "{:.1%}"}, na_rep="–"),
        hide_index=True,
        key=f"{key}.report",
    )
    chart(confusion_figure(result.confusion, result.classes), key=f"{key}.confusion")
