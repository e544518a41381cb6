"""Raw samples for an exported model, as a device would read them: a stretch of the test part in
the data's units (or token ids), and the windows a ring buffer holds as they arrive.

    samples   s0 s1 s2 s3 s4 ...        ring buffer of T = 3
    window 0  [s0 s1 s2]  -> prediction after s2
    window 1     [s1 s2 s3] -> prediction after s3    (one per new sample)
"""

from __future__ import annotations

import numpy as np

from rnn_core.datasets.imu.prepare import ImuMeta, ImuTable
from rnn_core.datasets.prepare import PreparedData
from rnn_core.export.graph import ExportSpec


def sample_stream(
    data: PreparedData, spec: ExportSpec, table: ImuTable | None = None, predictions: int = 16
) -> np.ndarray:
    """Up to seq_len + predictions - 1 consecutive test samples: (N, C) float32 in the data's
    units, or (N,) int64 ids for text. An IMU recording's samples come from its table (the
    first test piece without holes); ValueError when it is not given."""
    count = spec.seq_len + predictions - 1
    if isinstance(data.meta, ImuMeta):
        if table is None:
            raise ValueError("An IMU model's samples are read from its recording's table.")
        values = table.values[list(spec.channels)].to_numpy(np.float32)  # (N, C)
        for start, end in data.meta.parts["test"]:
            piece = values[start:end][:count]
            if len(piece) >= spec.seq_len and np.isfinite(piece).all():
                return piece
        raise ValueError("The test part has no stretch of one window without holes.")
    inputs = data.test.inputs[0, :count].cpu().numpy()  # (N, F) z-scores, or (N,) ids
    if spec.is_text or data.input_standardizer is None:
        return inputs
    return data.input_standardizer.inverse(inputs)  # (N, F) in the data's units


def stream_windows(samples: np.ndarray, seq_len: int) -> np.ndarray:
    """Every window a ring buffer of seq_len holds, one per new sample once it is full:
    (P, T, C) or (P, T) for ids, P = N - T + 1."""
    windows = np.lib.stride_tricks.sliding_window_view(samples, seq_len, axis=0)  # (P, C, T)
    if samples.ndim == 2:
        windows = windows.transpose(0, 2, 1)  # (P, T, C)
    return np.ascontiguousarray(windows)


def last_step(prediction: np.ndarray, spec: ExportSpec) -> np.ndarray:
    """The prediction after each window's newest sample: (P, K) from (P, K) or (P, T, K)."""
    return prediction[:, -1] if spec.per_step else prediction
