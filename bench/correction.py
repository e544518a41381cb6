"""What correcting VQF costs per sample, beside VQF itself, measured in the same run.

The correction runs as the evaluation runs it: every row from the window that ends there (T LSTM
steps per row, in batches). A device that keeps the LSTM's state from one sample to the next
would take one step per row instead; that cost is measured too (one pass over the recording).
"""

from __future__ import annotations

from pathlib import Path

import torch

from bench.core import median_seconds
from rnn_core.datasets.imu.attitude import estimate_attitude
from rnn_core.datasets.imu.correction import CORRECTION_INPUTS, prepare_correction
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.imu.table import imu_table
from rnn_core.evaluation.correction import correction_of
from rnn_core.models import ModelConfig, build_model

EXCERPT = Path(__file__).resolve().parents[1] / "data" / "broad-02-excerpt.csv"


def correction_cost(seq_len: int = 100, hidden: int = 32, repeats: int = 3):
    """(rows, VQF s, correction by windows s, correction streamed s) over the shipped excerpt of
    BROAD trial 02 at 100 Hz: median wall times of one pass each."""
    recording = read_imu_csv(EXCERPT, target_rate=100.0)
    table = imu_table(recording, "vqf")
    data = prepare_correction(
        [table] * 3, ("a", "b", "c"), ("train", "validation", "test"), seq_len
    )
    config = ModelConfig(input_size=len(CORRECTION_INPUTS), output_size=3, hidden_size=hidden)
    model = build_model(config, 0).eval()
    x = torch.from_numpy(data.meta.input_standardizer.transform(data.test.inputs[0].numpy()))

    def streamed() -> None:
        with torch.no_grad():
            model(x[None])  # (1, N + 1, O): one LSTM step per row

    vqf = median_seconds(lambda: estimate_attitude(recording, "vqf"), repeats)
    windows = median_seconds(lambda: correction_of(model, data, table), repeats)
    return len(table.values), vqf, windows, median_seconds(streamed, repeats)


def correction_rows(seq_len: int = 100, hidden: int = 32, repeats: int = 3) -> str:
    """Markdown rows: VQF, then the correction's cost per sample and its ratio to VQF's."""
    rows, vqf, windows, streamed = correction_cost(seq_len, hidden, repeats)
    per = lambda seconds: f"{seconds / rows * 1e6:.1f} µs/sample"  # noqa: E731
    return (
        f"| VQF (6D), {rows:,} rows at 100 Hz | {per(vqf)} | | |\n"
        f"| VQF + correction, LSTM {hidden}, each row from its window of {seq_len} | "
        f"{per(vqf + windows)} | {per(vqf)} (VQF) | {(vqf + windows) / vqf:.1f} |\n"
        f"| VQF + correction, LSTM {hidden}, state kept from row to row | "
        f"{per(vqf + streamed)} | {per(vqf)} (VQF) | {(vqf + streamed) / vqf:.1f} |"
    )
