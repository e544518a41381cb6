"""Data sources (sine, text), windows, temporal splits and standardization."""

from rnn_core.datasets.windows import DataError

__all__ = ["DataError"]
