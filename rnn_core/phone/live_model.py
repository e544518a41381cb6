"""A model trained on an IMU recording, forecasting the live stream's next state row by row.

    row r (roll, pitch from a live filter, ax..gz) --standardised--> model --> change --> + row r
        carried: one step, the RNN's hidden state kept from row r-1 (O(1) per row)
        window:  the last T rows recomputed from a zero state, as the model was trained and scored
    forecast of row r + horizon's targets; once that row arrives, its error joins the running RMSE
    the top layer's state at row r (`state`, (D*H,)) for the live heatmap of the hidden units

The two modes differ by construction: a model trained on T-row windows always started from a zero
state T rows back, while the carried state remembers everything since the stream began (a model
never trained that way may drift). `tests/core/test_phone_model.py` measures the gap on a small
LSTM trained briefly on the simulated phyphox recording: window mode equals the lab's
`evaluate_forecast` to 1e-5; carried differs from it by at most 0.10 deg (roll), 0.012 deg (pitch)
and 0.12 deg/s (gz). Every target must also be an input (the error compares with the row's own).
"""

from __future__ import annotations

from collections import deque

import numpy as np
import torch

from rnn_core.models import SequenceModel

ANGLES = ("roll", "pitch")  # the live filters give degrees; the model reads radians


class LiveForecaster:
    """One-step forecasts of a trained IMU model over live rows, and its running error.

    model: the SequenceModel; standardizer: its targets' (data.standardizer); meta: the data's
    ImuMeta (or anything with .task (inputs, targets, horizon, predict_change),
    .input_standardizer and .with_change(last, change)); seq_len: the window T it was trained on;
    mode: "carried" or "window"; error_rows: the rows the running RMSE covers."""

    def __init__(self, model: SequenceModel, standardizer, meta, seq_len: int,
                 mode: str = "carried", error_rows: int = 500) -> None:  # fmt: skip
        if mode not in ("carried", "window"):
            raise ValueError(f"The mode is 'carried' or 'window', not {mode!r}.")
        self.model, self.standardizer, self.meta = model.eval(), standardizer, meta
        self.inputs, self.targets = tuple(meta.task.inputs), tuple(meta.task.targets)
        self.seq_len, self.mode, self.error_rows = seq_len, mode, error_rows
        self.reset()

    def reset(self) -> None:
        """Forget the state, the window and the errors (a new stream or a gap)."""
        self.hidden = None
        self.state: np.ndarray | None = None  # (D*H,) the top layer's state after the last row
        self.window: deque[np.ndarray] = deque(maxlen=self.seq_len)  # standardised rows (F,)
        self.pending: deque[np.ndarray] = deque()  # forecasts (K,) waiting for their row
        self.errors: deque[np.ndarray] = deque(maxlen=self.error_rows)  # (K,) errors, SI

    def row_vector(self, row: dict) -> np.ndarray:
        """The model's inputs (F,) in SI from a row {name: value}: roll, pitch in degrees."""
        return np.array(
            [np.radians(row[n]) if n in ANGLES else row[n] for n in self.inputs], np.float64
        )

    @torch.no_grad()
    def step(self, row: dict) -> np.ndarray | None:
        """The forecast (K,) in SI (roll, pitch in radians) of the targets `horizon` rows after
        this row; None in window mode until T rows have come."""
        values = self.row_vector(row)  # (F,) SI
        self._score(values)
        x = self.meta.input_standardizer.transform(values[None])[0].astype(np.float32)  # (F,)
        self.window.append(x)
        model = self.model
        if self.mode == "window":
            if len(self.window) < self.seq_len:
                return None
            batch = torch.from_numpy(np.stack(self.window))[None]  # (1, T, F)
            states, _ = model.rnn(model.embed(batch))  # (1, T, D*H)
        else:
            step = torch.from_numpy(x)[None, None]  # (1, 1, F)
            states, self.hidden = model.rnn(model.embed(step), self.hidden)  # (1, 1, D*H)
        self.state = states[0, -1].numpy().copy()  # (D*H,) the top layer's state at this row
        output = model.head(model.readout(states))  # (1, T, O) or (1, O): the model's forward
        if output.dim() == 3:
            output = output[:, -1]  # (1, O): the last step of a many-to-many model
        forecast = self._absolute(output.numpy().astype(np.float64), values)  # (K,)
        self.pending.append(forecast)
        return forecast

    def _absolute(self, output: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The forecast (K,) in SI from the model's output (1, K): the change added back."""
        outputs = self.standardizer.inverse(output).astype(np.float64)  # (1, K)
        if not self.meta.task.predict_change:
            return outputs[0]
        last = np.array([values[self.inputs.index(n)] for n in self.targets])[None]  # (1, K)
        return self.meta.with_change(last, outputs)[0]

    def _score(self, values: np.ndarray) -> None:
        """The error of the forecast made `horizon` rows ago for this row, kept for the RMSE."""
        if len(self.pending) < self.meta.task.horizon:
            return
        forecast = self.pending.popleft()
        actual = np.array([values[self.inputs.index(n)] for n in self.targets])  # (K,)
        error = forecast - actual
        for k, name in enumerate(self.targets):
            if name in ("roll", "yaw"):  # wrapped angles: the short way round
                error[k] = (error[k] + np.pi) % (2 * np.pi) - np.pi
        self.errors.append(error)

    def rmse(self) -> dict[str, float]:
        """The RMSE per target (SI; roll and pitch in radians) over the last `error_rows` rows."""
        if not self.errors:
            return {name: float("nan") for name in self.targets}
        errors = np.stack(self.errors)  # (N, K)
        return dict(zip(self.targets, np.sqrt(np.mean(errors**2, axis=0)).tolist(), strict=True))
