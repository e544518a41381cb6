"""The Evaluate page's scores: the RMSE table and forecast chart, or accuracy and confusion."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import streamlit as st

from rnn_core.datasets.imu_prepare import ImuMeta, ImuTable
from rnn_core.datasets.prepare import PreparedData
from rnn_core.figures_imu import confusion_figure, prediction_figure
from rnn_core.imu_evaluate import (
    ActivityEvaluation,
    ForecastEvaluation,
    evaluate_activity,
    evaluate_forecast,
)
from rnn_core.models import SequenceModel
from ui.charts import chart

TABLE_FORMAT = {
    "model RMSE": "{:.4g}",
    "persistence RMSE": "{:.4g}",
    "complementary RMSE": "{:.4g}",
    "skill vs persistence": "{:+.3f}",
}


def show_evaluation(
    model: SequenceModel, data: PreparedData, table: ImuTable, token: Hashable, key: str
) -> ForecastEvaluation | None:
    """Score the model on the test part (once per token) and show it; the forecast evaluation, or
    None for an activity classifier."""
    kept = st.session_state.get(key)
    if kept is None or kept[0] != token:
        meta: ImuMeta = data.meta
        score = evaluate_activity if meta.task.classify else evaluate_forecast
        with st.spinner("Scoring the test part…"):
            kept = (token, score(model, data, table))
        st.session_state[key] = kept
    result = kept[1]
    if isinstance(result, ActivityEvaluation):
        _show_activity(result, key)
        return None
    _show_forecast(result, key)
    return result


def _show_forecast(result: ForecastEvaluation, key: str) -> None:
    """The RMSE table, one sentence on persistence, and the forecast chart of a chosen target."""
    shown = result.table.copy()
    for column, pattern in TABLE_FORMAT.items():  # text, so a missing baseline reads "–"
        shown[column] = [pattern.format(v) if np.isfinite(v) else "–" for v in shown[column]]
    st.dataframe(shown, hide_index=True, key=f"{key}.table")
    beaten = result.table.loc[result.table["beats persistence"], "target"].tolist()
    lost = result.table.loc[~result.table["beats persistence"], "target"].tolist()
    windows = len(result.time)
    if not lost:
        st.success(f"The model beats persistence on every target ({windows:,} test windows).")
    elif not beaten:
        st.error(
            f"The model does not beat persistence on any target ({windows:,} test windows): "
            "repeating the last value is better. Train longer, or learn the change from the last "
            "step (1 · Data)."
        )
    else:
        st.warning(
            f"The model beats persistence on {', '.join(beaten)} but not on {', '.join(lost)} "
            f"({windows:,} test windows)."
        )
    st.caption(
        "RMSE in degrees (roll, pitch) and deg/s (gyroscope). Skill = 1 − MSE(model) / "
        "MSE(persistence): 1 is perfect, 0 is no better than repeating the last value, below 0 is "
        "worse. The complementary filter's roll and pitch at the window's last step are its "
        "forecast."
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
            result.complementary.get(target),
        ),
        key=f"{key}.chart",
    )


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
