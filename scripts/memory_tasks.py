"""Measure how LSTM and plain RNN do on the adding problem and copy memory within a time budget.

Each cell trains with the app's Trainer (one torch thread), for at most `--seconds` of wall time
(validation included); with --parallel the cells train at the same time in their own processes,
as the app's Compare page does. Prints, per cell: steps, seconds, steps/s, the validation loss at
the end and its ratio to the task's closed-form trivial baseline.

    .venv/bin/python scripts/memory_tasks.py --task adding --length 50 --seconds 120
    .venv/bin/python scripts/memory_tasks.py --task adding --length 50 --seconds 15 --parallel
    .venv/bin/python scripts/memory_tasks.py --task copy --delay 10 --seconds 120
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from rnn_core.datasets.memory import AddingConfig, CopyConfig, prepare_adding, prepare_copy  # noqa: E402
from rnn_core.models import ModelConfig, build_model  # noqa: E402
from rnn_core.training.trainer import TrainConfig, Trainer  # noqa: E402

CELLS = {"lstm": ("lstm", "tanh"), "gru": ("gru", "tanh"), "rnn": ("rnn", "tanh")}


def prepare(args):
    """The PreparedData the arguments ask for."""
    if args.task == "adding":
        return prepare_adding(AddingConfig(length=args.length, seed=args.data_seed))
    config = CopyConfig(
        categories=args.categories,
        copy_length=args.copy_length,
        delay=args.delay,
        seed=args.data_seed,
    )
    return prepare_copy(config)


def train_one(args, cell: str, seed: int) -> dict:
    """Train one cell for the budget; a dict of what it reached."""
    torch.set_num_threads(1)
    data = prepare(args)
    kind, nonlinearity = CELLS[cell]
    model_config = ModelConfig(
        cell=kind,
        nonlinearity=nonlinearity,
        input_size=data.input_size,
        output_size=data.output_size,
        hidden_size=args.hidden,
        task_shape=data.task_shape,
    )
    train_config = TrainConfig(
        learning_rate=args.lr,
        batch_size=args.batch,
        clip_grad_norm=args.clip or None,
        max_steps=args.max_steps,
        seed=seed,
    )
    trainer = Trainer(build_model(model_config, seed), data, train_config)
    started = time.perf_counter()
    trainer.run(should_stop=lambda: time.perf_counter() - started > args.seconds)
    wall = time.perf_counter() - started
    if trainer.steps_done % train_config.eval_every:  # measure where training stopped
        trainer.history.set_last("val_loss", trainer.evaluate("validation"))
    frame = trainer.history.frame()
    val = frame.dropna(subset=["val_loss"])
    return {
        "cell": cell,
        "seed": seed,
        "steps": trainer.steps_done,
        "wall_s": wall,
        "steps_per_s": trainer.steps_done / wall,
        "final": float(val["val_loss"].iloc[-1]),
        "best": float(val["val_loss"].min()),
        "curve": list(zip(val["step"].astype(int), val["val_loss"], strict=True)),
        "status": trainer.status,
    }


def _job(packed):
    args, cell, seed = packed
    return train_one(args, cell, seed)


def report(result: dict, baseline: float, every: int) -> None:
    """One line per run, and its validation curve thinned to every `every` steps."""
    print(
        f"{result['cell']:>4} seed {result['seed']}: {result['steps']:>6} steps in "
        f"{result['wall_s']:.1f} s ({result['steps_per_s']:.0f} steps/s), val {result['final']:.4f}"
        f" = {result['final'] / baseline:.2f} x baseline (best {result['best'] / baseline:.2f} x)"
        f" [{result['status']}]"
    )
    if every:
        points = [f"{s}:{v / baseline:.2f}" for s, v in result["curve"] if s % every == 0]
        print("      val/baseline by step  " + "  ".join(points))


def main() -> None:
    """Parse the arguments, train every (cell, seed), print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("adding", "copy"), default="adding")
    parser.add_argument("--length", type=int, default=50, help="adding: steps per sequence")
    parser.add_argument("--delay", type=int, default=10, help="copy: the delay")
    parser.add_argument("--copy-length", type=int, default=5, help="copy: symbols S")
    parser.add_argument("--categories", type=int, default=8, help="copy: categories K")
    parser.add_argument("--cells", nargs="+", default=["lstm", "rnn"], choices=tuple(CELLS))
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--clip", type=float, default=1.0, help="0: no clipping")
    parser.add_argument("--max-steps", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=120.0, help="wall time per run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--data-seed", type=int, default=0)
    parser.add_argument("--parallel", action="store_true", help="the cells at the same time")
    parser.add_argument("--curve-every", type=int, default=0, help="print val every N steps")
    args = parser.parse_args()
    baseline = prepare(args).meta.baseline[0]
    print(f"{args.task}: baseline {baseline:.4f}; {vars(args)}")
    for seed in args.seeds:
        jobs = [(args, cell, seed) for cell in args.cells]
        if args.parallel:
            with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
                results = pool.map(_job, jobs)
        else:
            results = [_job(job) for job in jobs]
        for result in results:
            report(result, baseline, args.curve_every)


if __name__ == "__main__":
    main()
