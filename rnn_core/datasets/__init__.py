"""Data sources: sine waves (sine), text (text), the memory tasks (memory), IMU recordings (imu)
and any time series in a CSV (series); windows and temporal splits (windows), parts cut at gaps
(pieces) and the prepared, standardized data a model trains on (prepare)."""

from rnn_core.datasets.windows import DataError

__all__ = ["DataError"]
