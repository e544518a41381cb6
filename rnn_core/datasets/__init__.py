"""Data sources: sine waves (sine), text (text), the memory tasks (memory) and IMU recordings
(imu); windows and temporal splits (windows) and the prepared, standardized data a model trains on
(prepare)."""

from rnn_core.datasets.windows import DataError

__all__ = ["DataError"]
