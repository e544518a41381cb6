"""The shipped PJM sample cut short, and an untrained model's scores on it, for the series
report, figure and export tests (seconds, not minutes)."""

from __future__ import annotations

import dataclasses

from rnn_core.datasets.series.prepare import SeriesTask, prepare_series_table
from rnn_core.datasets.series.reader import SeriesTable, read_series_csv
from rnn_core.models import ModelConfig, build_model
from tests.paths import ROOT

SAMPLE = ROOT / "data" / "pjm-east-hourly-2016-2017.csv"
ROWS = 2400  # 100 days of hours: a test part of a few hundred windows, a season of 24


def cut(table: SeriesTable, rows: int = ROWS) -> SeriesTable:
    """The first `rows` rows of a table, its pieces cut there too."""
    return dataclasses.replace(
        table,
        time=table.time[:rows],
        values=table.values[:rows],
        segments=tuple((a, min(b, rows)) for a, b in table.segments if a < rows),
    )


def pjm_case(task: SeriesTask, seq_len: int = 24):
    """(data, model): the cut sample prepared for `task`, and a GRU of fixed random weights."""
    data = prepare_series_table(cut(read_series_csv(SAMPLE)), seq_len, task)
    config = ModelConfig(
        cell="gru",
        hidden_size=8,
        input_size=data.input_size,
        output_size=data.output_size,
        task_shape="many_to_one",
    )
    return data, build_model(config, seed=0).eval()
