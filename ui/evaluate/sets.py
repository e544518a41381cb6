"""The Evaluate page for a set of recordings: the model on each unseen test recording and on all
of them pooled, the pooled verdict first; for the correction of VQF, VQF alone, VQF + the
correction and every filter beside, on each test recording."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core.analysis.inspect import model_with_weights
from rnn_core.datasets.imu.attitude import filter_rate
from rnn_core.datasets.imu.correction import CorrectionTask
from rnn_core.evaluation.correction import APART, POOLED, CorrectionEvaluation, evaluate_correction
from rnn_core.evaluation.imu_report import scored_step
from rnn_core.evaluation.imu_sets import evaluate_set_forecast, set_score_table
from rnn_core.evaluation.imu_truth import ATTITUDE_COLUMNS
from rnn_core.live.states import RunState
from ui.evaluate.common import say_verdict
from ui.evaluate.imu import MAIN_COLUMNS, verdict_sentences
from ui.session.plain import plain
from ui.session.presenter import presenter_on
from ui.session.settings import shortened

SET_COLUMNS = ("recording", *MAIN_COLUMNS)
KEY = "eval.set"


def show_set_evaluation(exp, source) -> None:
    """Score the session's run on the set's test recordings (once per weights) and show it."""
    runner = exp.run
    step, weights = runner.current_weights()
    if runner.active:
        st.warning(
            f"Training is still running: these scores are for the weights at step {step:,}, "
            "when this page was drawn, not the latest; open the page again for newer ones."
        )
    if getattr(source, "imu_set", None) is None or exp.key[0] != source.key:
        st.warning(
            "The recordings on **1 · Data** changed since this model was trained: train again."
        )
        return
    meta = exp.data.meta
    scored = scored_step(runner.history.rows_since(0), step, runner.state == RunState.EARLY_STOPPED)
    tested = [n for n, r in zip(meta.names, meta.roles, strict=True) if r == "test"]
    st.subheader(f"The model trained here ({scored}), on {len(tested)} unseen test recording(s)")
    trained = ", ".join(plain(name, 80) for name, _ in meta.trained_on())
    said = f"Trained on: {trained}. Never seen in training: {', '.join(map(plain, tested))}."
    # on a projector the long list of names would push the verdict below the first screen
    where = st.expander("Which recordings it trained on") if presenter_on() else st.container()
    where.caption(said)
    model = model_with_weights(exp.model, weights)
    names, recordings, tables = source.recordings()
    token = (exp.key, step, id(runner))
    if isinstance(meta.task, CorrectionTask):
        result = _scored(token, lambda: evaluate_correction(model, exp.data, tables, recordings))
        show_correction(result, recordings, names, meta.roles)
    else:
        result = _scored(token, lambda: evaluate_set_forecast(model, exp.data, tables))
        show_set_forecast(result)


def _scored(token: Hashable, score):
    """The scores for these weights, computed once per token."""
    kept = st.session_state.get(KEY)
    if kept is None or kept[0] != token:
        with st.spinner("Scoring every test recording…"):
            kept = (token, score())
        st.session_state[KEY] = kept
    return kept[1]


def show_set_forecast(evaluations: dict) -> None:
    """The pooled verdicts first, then the scores per test recording and pooled."""
    count = len(evaluations) - 1
    for sentence, verdict in verdict_sentences(evaluations[POOLED].table):
        said = f"Pooled over the {count} test recording(s): {sentence}"
        say_verdict(said, verdict)
    table = set_score_table(evaluations)
    table.insert(
        1, "target (unit)", [f"{t} ({u})" for t, u in zip(table.target, table.unit, strict=True)]
    )
    table["recording"] = [shortened(n, 80) for n in table["recording"]]  # a cell: plain text
    for column in ("model RMSE", "persistence RMSE", "gyro propagation RMSE"):
        table[column] = [f"{v:.4g}" if np.isfinite(v) else "–" for v in table[column]]
    st.table(table[list(SET_COLUMNS)].set_index("recording"))
    st.caption(
        "RMSE in degrees (roll, pitch) and deg/s (gyroscope) on each test recording, prepared "
        "whole with the training recordings' statistics, and over all their windows pooled. The "
        "interval is the 95 % range of RMSE(model) − RMSE(best baseline) over resampled blocks "
        "of test windows: 'beats' only when all of it is below zero."
    )


def correction_sentence(row: pd.Series, count: int) -> str:
    """The pooled row of a correction's table as one sentence with its numbers."""
    return (
        f"Pooled over the {count} unseen test recording(s), VQF + the correction "
        f"{'cannot be told apart from VQF' if row['verdict'] == APART else row['verdict']}: "
        f"inclination RMSE in motion {row['corrected RMSE (deg)']:.3f}° against VQF's "
        f"{row['filter RMSE (deg)']:.3f}° (corrected − VQF, 95 % interval "
        f"{row['corrected − filter, 95% interval']} °)."
    )


def show_correction(result: CorrectionEvaluation, recordings, names, roles) -> None:
    """The pooled verdict, VQF against VQF + the correction per test recording, every filter."""
    table = result.table
    pooled = table.iloc[-1]
    said = correction_sentence(pooled, len(table) - 1)
    verdict = pooled["verdict"]
    (st.success if verdict.startswith("improves") else st.info if verdict == APART else st.warning)(
        said
    )
    shown = table.assign(recording=[shortened(n, 80) for n in table["recording"]])
    st.dataframe(
        shown.style.format({c: "{:.3f}" for c in table.columns if "(deg)" in c}, na_rep="–"),
        hide_index=True,
        key=f"{KEY}.correction",
    )
    st.caption(
        "Inclination RMSE (deg, the angle between the true and the estimated vertical, as BROAD "
        "scores it) over the movement phases, of VQF alone and of VQF + the model's correction, "
        "each row's correction from the window that ends there (no future sample). The interval "
        "is the 95 % range of RMSE(corrected) − RMSE(VQF) over resampled blocks of rows."
    )
    by_name = dict(zip(names, recordings, strict=True))
    for name, scores in result.filters.items():
        with st.expander(f"Every filter on {plain(name, 80)}"):
            rate = filter_rate(by_name[name])
            scores = scores.assign(**{"ran at": rate})
            st.dataframe(
                scores.style.format({c: "{:.3g}" for c in ATTITUDE_COLUMNS[1:-1]}, na_rep="–"),
                hide_index=True,
                key=f"{KEY}.filters.{name}",
            )
