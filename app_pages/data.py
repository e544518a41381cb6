"""Data: choose the source, see it, and get a plain sentence for anything unusable."""

import streamlit as st

from rnn_core.datasets import DataError
from rnn_core.datasets.imu.prepare import part_bounds, split_pieces
from rnn_core.datasets.series.prepare import clock_of
from rnn_core.datasets.text import char_statistics
from rnn_core.evaluation.compare import trivial_baseline
from rnn_core.evaluation.imu_truth import split_warnings
from rnn_core.figures.curves import char_frequency_figure, sequence_figure, series_figure
from rnn_core.figures.imu import imu_signals_figure
from rnn_core.figures.series_data import series_data_figure
from ui.lecture.presets import IMU_PRESET_SAID, apply_imu_preset
from ui.session.charts import chart
from ui.session.experiment import seq_len
from ui.session.plain import as_text, plain
from ui.session.source import accept_source, chosen_kind
from ui.session.state import widget
from ui.sources.imu import recording_of
from ui.sources.imu_sets import set_preview
from ui.sources.kinds import SINE_FRACTIONS, sine_series
from ui.sources.series import table_of


def _sine_preview(source) -> None:
    """The series, shaded by the temporal split."""
    series = sine_series(source.sine)
    fig = series_figure(series, source.sine.sample_rate, SINE_FRACTIONS)
    chart(fig, key="data.series")
    st.caption(
        "Shaded: the temporal split. Standardization uses the training part's statistics only."
    )


def _memory_preview(source) -> None:
    """One validation sequence and the trivial baseline's score."""
    data = source.prepare(seq_len(), source.task_shape, "cpu")  # the task keeps its own
    x, y = data.validation.batch(data.validation.evenly_spaced(1))  # x (1, T, F)
    baseline, said = trivial_baseline(data)
    example = sequence_figure(x[0].numpy(), data.feature_names, "One validation sequence")
    chart(example, key="data.memory")
    st.caption(
        f"{len(data.train):,} training sequences, {len(data.validation):,} validation, "
        f"{len(data.test):,} test, each {data.seq_len} steps. The trivial baseline, {said}, "
        f"scores {baseline:.4g}: a model that beats it has remembered something."
    )


def _imu_preview(source) -> None:
    """The IMU preset's button, the signals with the split, and the split's warnings."""
    recording, table = recording_of(source.imu)
    st.button(
        "Use the IMU preset",
        on_click=apply_imu_preset,
        args=(recording.sample_rate,),
        key="btn.imu_preset",
        help="0.4 s windows (20 steps at 50 Hz, set from this recording's rate) into a 2-layer "
        "LSTM of 64 then 32 units with a linear head; gradient clipping and early stopping on. "
        "Every knob stays yours to change.",
    )
    if said := st.session_state.pop(IMU_PRESET_SAID, None):
        st.success(said)
    test_at = source.imu.test_at
    bounds = part_bounds(len(table.values), test_at=test_at)
    edges = sorted({a for ranges in bounds.values() for a, _ in ranges} - {0})
    chart(imu_signals_figure(table.time, table.values, table.labels, edges), key="data.imu")
    st.caption(
        "Dashed lines: the temporal split (train, validation, test, placed on the left). Z-scores "
        "use the training part's statistics only; windows never cross a gap or a split."
    )
    pieces = split_pieces(table.segments, len(table.values), test_at=test_at)
    for warning in split_warnings(table, pieces):
        st.warning(warning)


def _text_preview(source) -> None:
    """The text's size, its characters' frequencies and its beginning."""
    text = source.text
    stats = char_statistics(text)
    c1, c2, c3 = st.columns(3)
    c1.metric("Characters", f"{len(text):,}")
    c2.metric("Distinct characters", f"{len(stats):,}")
    c3.metric("Lines", f"{text.count(chr(10)) + 1:,}")
    chart(char_frequency_figure(stats), key="data.chars")
    st.text_area("First 1,000 characters", text[:1000], height=200, disabled=True)


def _series_preview(source) -> None:
    """The chosen columns with the split, and how many windows each part gives."""
    choice = source.series
    table = table_of(choice.digest, choice.name)
    names = list(dict.fromkeys((*choice.task.inputs, *choice.task.targets)))
    columns = [table.columns.index(name) for name in names]
    meta = table.detected
    bounds = part_bounds(len(table.time), test_at=choice.test_at)
    edges = sorted({a for ranges in bounds.values() for a, _ in ranges} - {0})
    clock = clock_of(meta.time_kind, meta.start, table.time)
    figure = series_data_figure(
        clock,
        table.values[:, columns],
        names,
        [table.units[k] for k in columns],
        edges,
        table.segments,
    )
    chart(figure, key="data.series_table")
    try:
        data = source.prepare(seq_len(), source.task_shape, "cpu")
    except DataError as err:
        st.error(as_text(str(err)))
        return
    st.caption(
        f"Dashed lines: the temporal split (train, validation, test, placed on the left). "
        f"{len(data.train):,} training windows, {len(data.validation):,} validation, "
        f"{len(data.test):,} test, each {data.seq_len} steps. Z-scores use the training part's "
        "statistics only; windows never cross a gap or a split, and a window with a missing "
        "input is left out (a missing target gives no loss and no score)."
    )


PREVIEWS = {  # what the page shows of each kind of data
    "sine": _sine_preview,
    "memory": _memory_preview,
    "imu": _imu_preview,
    "imu_set": lambda source: set_preview(source.imu_set),
    "text": _text_preview,
    "series": _series_preview,
}

st.title("1 · Data")
st.radio(**widget("source_kind"), horizontal=True)
kind = chosen_kind()
st.number_input(
    **widget("seq_len"),
    disabled=kind.own_length,
    help="A memory task's sequences have their own length, set below.",
)

try:
    source = kind.controls()
except DataError as err:
    st.session_state.pop("source", None)  # nothing stands in for data that was refused
    st.error(as_text(str(err)))
    st.stop()
if source is None:
    st.session_state.pop("source", None)
    st.stop()
accept_source(source)  # a warning about missing data above it goes
st.success(f"Training will use: {plain(source.label, 160)}. Go to **2 · Train** to start.")


PREVIEWS[source.kind](source)
