"""Evaluate: a model on the test part in its units, beside forecast baselines: an IMU recording
(persistence, gyro propagation and the attitude filters) or any time series."""

import streamlit as st

from rnn_core.analysis.inspect import model_with_weights
from rnn_core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from rnn_core.datasets.imu.prepare import ImuMeta
from rnn_core.datasets.imu.recordings import SetMeta
from rnn_core.datasets.imu.table import attitude_label
from rnn_core.datasets.series.prepare import SeriesMeta
from rnn_core.evaluation.imu import (
    imu_model_extra,
    prepare_for_saved,
    saved_imu_model,
    trained_on_this,
)
from rnn_core.evaluation.imu_report import filter_rate_column, scored_step
from rnn_core.evaluation.imu_scores import BEATS
from rnn_core.evaluation.imu_truth import split_warnings
from rnn_core.evaluation.metrics import predictions_csv
from rnn_core.figures.verdicts import rmse_ratio_figure
from rnn_core.live.states import RunState
from ui.evaluate.common import weights_to_score
from ui.evaluate.imu import show_evaluation, show_truth_scores, verdict_sentences
from ui.evaluate.series import show_series_evaluation, show_verdicts
from ui.evaluate.sets import show_set_evaluation
from ui.lecture.presets import preset_banner
from ui.session.charts import chart
from ui.session.plain import as_text, plain
from ui.session.presenter import presenter_on
from ui.session.source import current_source
from ui.session.state import existing_experiment
from ui.sources.imu import recording_of
from ui.sources.kinds import ImuSource
from ui.train.export import export_section


def verdicts_first(result, step: int) -> None:
    """Presenter mode's first screen: the verdicts, then the model's RMSE over the best
    baseline's per target."""
    for sentence, verdict in verdict_sentences(result.table):
        (st.success if verdict == BEATS else st.info)(sentence)
    chart(rmse_ratio_figure(result.table), key="eval.ratios")
    st.caption(
        f"The model at step {step:,} on the test part, per target: its RMSE divided by the best "
        "forecast baseline's (persistence or gyro propagation). The tables, the intervals and "
        "the attitude filters are under **Scores, forecasts and attitude**."
    )


def series_evaluation(exp) -> None:
    """A model trained here on a time series: its scores against the forecast baselines on the
    test part (in presenter mode the verdicts first, the rest folded), then the downloads."""
    runner = exp.run
    step, weights = weights_to_score(runner)
    model = model_with_weights(exp.model, weights)
    scored = scored_step(runner.history.rows_since(0), step, runner.state == RunState.EARLY_STOPPED)
    point = st.container()
    details = st.expander("Scores and forecasts") if presenter_on() else point
    with details:
        st.subheader(f"The model trained here ({scored}), on the test part")
        st.caption(f"Series: {plain(exp.data.meta.name)}")
        result = show_series_evaluation(model, exp.data, (exp.key, step, id(runner)), "eval.series")
    if presenter_on() and result is not None:
        with point:
            show_verdicts(exp.data.meta, result)
            chart(rmse_ratio_figure(result.scores), key="eval.series_ratios")
            st.caption(
                f"The model at step {step:,} on the test part, per target: its RMSE divided by "
                "the best of persistence, the seasonal naive forecast and a linear AR model. The "
                "tables, the intervals and the charts are under **Scores and forecasts**."
            )
    st.download_button(
        "Download the model (.pt)",
        save_checkpoint(model, exp.data.standardizer, {}),
        file_name="series-model.pt",
        mime="application/octet-stream",
        key="eval.download_series_model",
    )
    export_section("eval", (runner.id, step), model, exp.data, runner)


st.title("6 · Evaluate")
preset_banner()
INTRODUCTION = (
    "An IMU model scored on data it never trained on, in degrees and deg/s, beside two forecast "
    "baselines (persistence, and gyro propagation: the last attitude carried forward with the "
    "last gyro reading) and, when the file has a ground truth, every attitude filter. A model "
    "of a time series is scored in its units beside persistence, the seasonal naive forecast "
    "and a linear AR model."
)
if not presenter_on():  # in presenter mode the verdicts come first
    st.caption(INTRODUCTION)

exp = existing_experiment()
imu = exp is not None and isinstance(exp.data.meta, ImuMeta)
source = current_source()
on_a_set = exp is not None and exp.run is not None and isinstance(exp.data.meta, SetMeta)
on_a_series = exp is not None and exp.run is not None and isinstance(exp.data.meta, SeriesMeta)
if on_a_set:
    show_set_evaluation(exp, source)
elif on_a_series:
    series_evaluation(exp)
elif not imu or exp.run is None:
    st.info(
        "Train a model on an IMU recording or a time series first: choose one on **1 · Data** "
        "(the samples work; **Use the IMU preset** sets every knob for a recording), train it on "
        "**2 · Train**, then come back. Or evaluate a saved IMU model below."
    )
else:
    runner = exp.run
    step, weights = weights_to_score(runner)
    model = model_with_weights(exp.model, weights)
    recording, table = recording_of(source.imu) if isinstance(source, ImuSource) else (None, None)
    if table is None or exp.key[0] != source.key:
        st.warning(
            "The recording on **1 · Data** changed since this model was trained: train again "
            "there, or evaluate the saved model below."
        )
    else:
        scored = scored_step(
            runner.history.rows_since(0), step, runner.state == RunState.EARLY_STOPPED
        )
        # in presenter mode the verdicts and their chart first, the tables and charts folded
        point = st.container()
        details = st.expander("Scores, forecasts and attitude") if presenter_on() else point
        with details:
            st.subheader(f"The model trained here ({scored}), on the test part")
            for warning in split_warnings(table, exp.data.meta.parts):
                st.warning(warning)
            result = show_evaluation(
                model, exp.data, table, (exp.key, step, id(runner)), "eval.trained"
            )
            if result is not None:
                st.subheader("Attitude against the ground truth")
                show_truth_scores(recording, model, exp.data, table, "eval.truth")
        if presenter_on() and result is not None:
            with point:
                verdicts_first(result, step)
        extra = imu_model_extra(exp.data, table)
        c1, c2 = st.columns(2)
        c1.download_button(
            "Download the model (.pt)",
            save_checkpoint(model, exp.data.standardizer, extra),
            file_name="imu-model.pt",
            mime="application/octet-stream",
            key="eval.download_model",
        )
        if result is not None:
            c2.download_button(
                "Download the test predictions (.csv)",
                predictions_csv(
                    result.time,
                    result.targets,
                    result.truth,
                    result.prediction,
                    {"persistence": result.persistence, "gyro propagation": result.propagation},
                    result.reference_names(),
                    filter_rate_column(table),
                ),
                file_name="imu-test-predictions.csv",
                mime="text/csv",
                key="eval.download_csv",
            )
        export_section("eval", (runner.id, step), model, exp.data, runner, table)

st.divider()
st.subheader("A saved IMU model on the recording chosen on 1 · Data")
upload = st.file_uploader("A model saved by this page (.pt)", type=["pt"], key="eval.upload")
if upload is not None:
    if not isinstance(source, ImuSource):
        st.error("Choose an IMU recording on **1 · Data** first: the model is scored on it.")
        st.stop()
    try:
        loaded, standardizer, extra = load_checkpoint(upload.getvalue())
        saved = saved_imu_model(standardizer, extra, loaded.config)
        recording, table = recording_of(source.imu)
        data = prepare_for_saved(table, saved, loaded.config.task_shape)
    except (CheckpointError, ValueError) as err:  # DataError is a ValueError
        st.error(as_text(str(err)))
        st.stop()
    if abs(recording.sample_rate - saved.sample_rate) > 1e-6:
        st.warning(
            f"The model was trained at {saved.sample_rate:g} Hz and this recording is at "
            f"{recording.sample_rate:g} Hz: set **Resample to** {saved.sample_rate:g} on "
            "1 · Data for a fair score."
        )
    name, recording_name = plain(upload.name), plain(source.imu.name)
    if trained_on_this(table, saved):
        st.caption(
            f"{name} trained on this very recording ({recording_name}, the same fingerprint): "
            f"scored only on its test part, the {len(data.test):,} windows it never saw."
        )
    else:
        st.caption(f"{name}: scored on the whole of {recording_name}, none of it trained on.")
    if saved.attitude is not None and saved.attitude != table.attitude_source:
        st.warning(
            f"The model read roll and pitch from {attitude_label(saved.attitude)}; 1 · Data now "
            f"gives them from {attitude_label(table.attitude_source)}: choose the same there."
        )
    show_evaluation(loaded, data, table, (upload.file_id, source.key), "eval.saved")
