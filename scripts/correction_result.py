"""Does an LSTM that corrects VQF lower its error on BROAD trials it never saw?

    python scripts/correction_result.py [--window 100] [--hidden 32] [--steps 1500] ...

Reads the shipped set (`data/broad-set.zip`: 8 training, 2 validation, 5 test trials at 100 Hz),
runs VQF at its default gains (6D, causal) on every trial, trains the correction on the training
trials through the app's one training path (`train_to_end`; validation trials for early stopping,
the best weights kept), and prints, for every test trial and pooled, the inclination RMSE over the
movement phases of VQF alone and of VQF + the correction, with the 95 % interval of the difference
and its verdict. Seeded and on one CPU thread, so a run gives the same figures on the same machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from rnn_core.datasets.imu.broad_set import read_broad_set  # noqa: E402
from rnn_core.datasets.imu.correction import CORRECTION_INPUTS, prepare_correction  # noqa: E402
from rnn_core.datasets.imu.table import imu_table  # noqa: E402
from rnn_core.evaluation.correction import evaluate_correction  # noqa: E402
from rnn_core.live.child import trained_model  # noqa: E402
from rnn_core.live.spec import RunSpec  # noqa: E402
from rnn_core.models import ModelConfig  # noqa: E402
from rnn_core.training.trainer import TrainConfig  # noqa: E402

RIANN_DEG = 0.89  # RIANN (Weber et al. 2021) on BROAD's 22 trials, as its authors report


def configs(args) -> tuple[ModelConfig, TrainConfig]:
    """The model and training settings the arguments ask for."""
    model = ModelConfig(
        cell="lstm",
        input_size=len(CORRECTION_INPUTS),
        output_size=3,
        hidden_size=args.hidden,
        head_init="zero",  # untrained, the correction is 0: VQF itself
    )
    train = TrainConfig(
        learning_rate=args.lr,
        batch_size=args.batch,
        max_steps=args.steps,
        eval_every=50,
        eval_windows=1024,
        early_stopping_patience=args.patience,
        seed=args.seed,
    )
    return model, train


def markdown(table) -> str:
    """A DataFrame as a Markdown table, numbers to 3 decimals."""
    cell = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--window", type=int, default=100, help="rows per window (100 Hz)")
    parser.add_argument("--hidden", type=int, default=32, help="LSTM units")
    parser.add_argument("--steps", type=int, default=1500, help="optimizer steps")
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    parser.add_argument("--batch", type=int, default=32, help="windows per step")
    parser.add_argument("--patience", type=int, default=None, help="early stopping, evaluations")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    started = time.perf_counter()
    names, recordings, roles = read_broad_set()
    tables = [imu_table(r, "vqf") for r in recordings]
    data = prepare_correction(tables, names, roles, args.window)
    model_config, train_config = configs(args)
    model = trained_model(RunSpec(data, model_config, train_config, args.seed, preview=False))
    result = evaluate_correction(model, data, tables)
    print(markdown(result.table))
    print(
        f"\nMean over the {len(result.table) - 1} test trials, in motion: VQF "
        f"{result.mean_filter_rmse:.3f} deg, VQF + correction {result.mean_corrected_rmse:.3f} deg"
        f" (RIANN, reported on BROAD's 22 trials: {RIANN_DEG} deg). {args}, "
        f"{time.perf_counter() - started:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
