"""Any time series in a CSV (or a zip of one): its time column and rate (timecolumn), its rows on a
uniform grid with missing steps masked (grid), the table and what was detected (reader), and the
windows a model trains on with the baselines' inputs kept beside them (prepare).

    read_series_csv(file) -> SeriesTable -> prepare_series_table(table, seq_len, task)
                                         -> PreparedData (meta: SeriesMeta)
"""

from rnn_core.datasets.series.prepare import SeriesMeta, SeriesTask, prepare_series_table
from rnn_core.datasets.series.reader import SeriesFormatError, SeriesTable, read_series_csv

__all__ = [
    "SeriesFormatError",
    "SeriesMeta",
    "SeriesTable",
    "SeriesTask",
    "prepare_series_table",
    "read_series_csv",
]
