"""The Evaluate page's scores for any time series: the model against persistence, the seasonal
naive forecast and a linear AR model in the data's units, a verdict per target, the forecasts
over the test block and their errors against the steps ahead, and the predictions to download."""

from __future__ import annotations

import math
from collections.abc import Hashable

import pandas as pd
import streamlit as st

from rnn_core.datasets.prepare import PreparedData
from rnn_core.datasets.series.prepare import SeriesMeta
from rnn_core.evaluation.forecast_scores import BASELINES, SeriesEvaluation, evaluate_series
from rnn_core.evaluation.intervals import BLOCKS, TOO_FEW
from rnn_core.evaluation.series_report import series_predictions_csv, with_unit
from rnn_core.figures.series import horizon_errors_figure, series_forecast_figure
from rnn_core.models import SequenceModel
from ui.evaluate.common import say_verdict, scored_once
from ui.evaluate.imu import VERDICT_WORDS
from ui.session.charts import chart
from ui.session.plain import as_text, plain

FORECASTERS = ("model", *BASELINES)
TABLE_COLUMNS = ("RMSE", "MAE", "MASE", "model − it, 95% interval", "verdict")
CSV_NAME = "series-test-predictions.csv"


def readable(value: float, signed: bool = False) -> str:
    """A score as a person reads it: whole numbers with thousands separators from 100 up, else
    three significant digits; '–' when unknown."""
    if value is None or not math.isfinite(value):
        return "–"
    sign = "+" if signed else ""
    return f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign}.3g}"


def interval_said(interval, unit: str = "") -> str:
    """'[-213, -150] MW', or '–' without an interval (too few windows)."""
    if interval is None:
        return "–"
    low, high = (readable(v, signed=True) for v in interval)
    return f"[{low}, {high}]" + (f" {unit}" if unit else "")


def _steps_said(h: int) -> str:
    return f"{h} step{'s' if h != 1 else ''} ahead"


def verdict_sentences(meta: SeriesMeta, scores: pd.DataFrame) -> list[tuple[str, str]]:
    """(sentence, verdict) per target: the model against the best baseline, with both RMSEs and
    the interval of their difference in the data's units (names from the file made plain)."""
    out = []
    for row in scores.to_dict("records"):
        unit, best = row["unit"], row["best baseline"]
        head = f"{with_unit(row['target'], unit)}, {_steps_said(row['steps ahead'])}"
        words = VERDICT_WORDS[row["verdict"]].format(best=best)
        if row["verdict"] == TOO_FEW:
            detail = f"{row['windows']:,} known, the interval needs {5 * BLOCKS}"
        else:
            detail = (
                f"RMSE {readable(row['model RMSE'])} vs {readable(row[f'{best} RMSE'])}"
                f"{' ' + unit if unit else ''}; model − best RMSE, 95% interval "
                f"{interval_said(row['model − best, 95% interval'], unit)}"
            )
        out.append((plain(f"{head}: the model {words} ({detail}).", None), row["verdict"]))
    return out


def show_verdicts(meta: SeriesMeta, evaluation: SeriesEvaluation) -> None:
    """One coloured sentence per target: green when the model beats the best baseline."""
    for sentence, verdict in verdict_sentences(meta, evaluation.scores):
        say_verdict(sentence, verdict)


def scores_shown(scores: pd.DataFrame) -> pd.DataFrame:
    """The score table as text, one row per target and forecaster: RMSE, MAE and MASE, then for
    a baseline the model's interval against it and the verdict; the best baseline is named."""
    records = []
    for row in scores.to_dict("records"):
        for name in FORECASTERS:
            is_model = name == "model"
            records.append(
                {
                    "target (unit)": with_unit(row["target"], row["unit"]),
                    "forecast": name + (" (best baseline)" if name == row["best baseline"] else ""),
                    "RMSE": readable(row[f"{name} RMSE"]),
                    "MAE": readable(row[f"{name} MAE"]),
                    "MASE": readable(row[f"{name} MASE"]),
                    "model − it, 95% interval": ""
                    if is_model
                    else interval_said(row[f"model − {name}, 95% interval"]),
                    "verdict": "" if is_model else f"model {row[f'vs {name}']}",
                }
            )
    return pd.DataFrame.from_records(records)


def show_series_evaluation(
    model: SequenceModel, data: PreparedData, token: Hashable, key: str
) -> SeriesEvaluation | None:
    """Score the model on the test part of a series (once per token, kept under `key`) and show
    it: verdicts, the score table, the seasons, the charts and the predictions to download. None,
    with a sentence, when the test part cannot be scored."""
    meta: SeriesMeta = data.meta
    words = "Scoring the test part against the baselines…"
    try:
        evaluation = scored_once(key, token, words, lambda: evaluate_series(model, data))
    except ValueError as err:  # DataError is a ValueError: too short a part, no season
        st.error(as_text(f"The test part of {meta.name} cannot be scored: {err}"))
        return None
    show_verdicts(meta, evaluation)
    st.table(scores_shown(evaluation.scores).set_index(["target (unit)", "forecast"]))
    st.caption(
        f"In the data's units over the test windows whose truth is known, at the last step "
        "ahead. Persistence repeats the last value; the seasonal naive forecast repeats the value "
        "one season earlier; linear AR is a least-squares linear model of the window, fitted on "
        "the training part. MASE: the MAE over the seasonal naive forecast's MAE on the training "
        "part (below 1 beats it there). The interval is the 95 % range of RMSE(model) − "
        f"RMSE(baseline) over {BLOCKS} contiguous blocks of test windows resampled: 'beats' only "
        "when all of it is below zero."
    )
    st.caption(_seasons_said(meta, evaluation.seasons))
    _charts(meta, evaluation, key)
    st.download_button(
        "Download the test predictions (.csv)",
        series_predictions_csv(meta, evaluation),
        file_name=CSV_NAME,
        mime="text/csv",
        key=f"{key}.download_csv",
    )
    return evaluation


def _seasons_said(meta: SeriesMeta, seasons: tuple[int, ...]) -> str:
    """'Season: 24 steps, from the autocorrelation of the training part' (per target if many),
    the season given on 1 · Data, or that none was found (the seasonal naive is persistence)."""
    if meta.task.season > 0:
        return f"Season: {meta.task.season:,} steps, as given on 1 · Data."
    said = [
        f"{m:,} steps" if m > 1 else "none found (its seasonal naive is persistence)"
        for m in seasons
    ]
    if len(set(seasons)) > 1:
        said = [f"{plain(t)} {s}" for t, s in zip(meta.task.targets, said, strict=True)]
    if set(seasons) == {1}:
        return (
            "Season: none found in the autocorrelation of the training part, so the seasonal "
            "naive forecast is persistence; give one on 1 · Data if the series has one."
        )
    return (
        f"Season: {', '.join(dict.fromkeys(said))}, from the autocorrelation of the training part."
    )


def _charts(meta: SeriesMeta, evaluation: SeriesEvaluation, key: str) -> None:
    """The forecast over the test block for a chosen target and step, and the errors against
    the steps ahead when more than one is forecast."""
    targets, steps = meta.task.targets, meta.task.steps
    k = 0
    if len(targets) > 1:
        k = st.selectbox(
            "Target to plot", range(len(targets)), format_func=lambda i: targets[i],
            key=f"{key}.target",
        )  # fmt: skip
    s = len(steps) - 1
    if len(steps) > 1:
        s = st.select_slider(
            "Steps ahead to plot", range(len(steps)), value=s, format_func=lambda i: str(steps[i]),
            key=f"{key}.step",
        )  # fmt: skip
    chart(series_forecast_figure(meta, evaluation, k, s), key=f"{key}.forecast")
    if len(steps) > 1:
        chart(horizon_errors_figure(evaluation, meta, k), key=f"{key}.horizon")
