"""The forecast baselines' losses in the model's own units, for the Train page's loss chart.

A baseline's line is the validation loss a model would score if it output that baseline's
forecast: the same windows (evenly spaced, as the trainer measures them), the same z-scores, the
same loss (`training.losses.loss_for`, NaN targets give no loss), the same batch weighting. A
window the baseline cannot forecast (a seasonal naive before one season of its piece) counts
nowhere for that baseline.
"""

from __future__ import annotations

import torch

from rnn_core.datasets.prepare import PreparedData
from rnn_core.evaluation.forecast_scores import baseline_forecasts
from rnn_core.training.config import TrainConfig
from rnn_core.training.losses import loss_for

EVAL_BATCH = 256  # the trainer's evaluate_loss batch


def baseline_losses(
    data: PreparedData,
    eval_windows: int = TrainConfig.eval_windows,
    seasons: tuple[int, ...] | None = None,
) -> dict[str, float]:
    """{baseline name: its validation loss in the model's loss units} for a series' data."""
    windows = data.validation
    indices = windows.evenly_spaced(eval_windows).cpu()  # (B,) into the part's windows
    forecasts, _ = baseline_forecasts(data, "validation", seasons)
    losses = {}
    for name, forecast in forecasts.items():
        flat = forecast.reshape(len(forecast), -1)  # (W, S * K): the model's output order
        z = torch.as_tensor(data.standardizer.transform(flat), dtype=torch.float32)  # (W, S*K)
        losses[name] = _loss(windows, indices, z)
    return losses


def _loss(windows, indices: torch.Tensor, forecast: torch.Tensor) -> float:
    """The batch-weighted mean loss of `forecast` (W, S * K) z-scores over `indices`."""
    total, count = 0.0, 0
    for chunk in indices.split(EVAL_BATCH):
        _, y = windows.batch(chunk.to(windows.inputs.device))  # (B, S * K)
        prediction = forecast[chunk].to(y.device)  # (B, S * K)
        y = torch.where(torch.isnan(prediction), torch.full_like(y, float("nan")), y)
        if torch.isnan(y).all():
            continue
        total += loss_for(torch.nan_to_num(prediction), y).item() * len(chunk)
        count += len(chunk)
    return total / count if count else float("nan")
