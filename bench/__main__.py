"""`python -m bench [--quick]`: the speed table, with ratios against bare baselines.

Everything is measured in one run on this machine, one torch thread per training. The full run
takes a few minutes; --quick (what CI runs) measures one configuration briefly to keep it working.
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import date
from pathlib import Path

import torch

from bench import browser, core, export, live, load, loops, store

ROOT = Path(__file__).resolve().parents[1]
LIVE_S = {False: 10.0, True: 3.0}  # seconds each live measurement takes (full, --quick)
FULL = [(cell, hidden) for hidden in (32, 128) for cell in ("rnn", "lstm", "gru")]


def machine() -> str:
    """A one-line description of where the numbers come from."""
    cores = len(__import__("os").sched_getaffinity(0))
    return f"{platform.processor() or platform.machine()}, {cores} cores, torch {torch.__version__}"


def training_rows(configs, seconds: float) -> tuple[list[str], object]:
    """Markdown rows: bare loop, Trainer alone, Trainer under the runner with the page open.
    Each ratio divides rates measured side by side: the Trainer alone interleaved with the bare
    loop, the page's rate between two measurements of the bare loop."""
    startup, runs = browser.measure(
        configs, seconds, ROOT / "test-artifacts", lambda c, h: loops.bare_rate(c, h, seconds / 4)
    )
    rows = []
    for run in runs:
        bare, alone = loops.bare_and_trainer(run.cell, run.hidden, seconds / 2)
        page_bare = run.bare_steps_per_second
        rows.append(
            f"| {run.cell.upper()} {run.hidden} | {bare:.0f} | {alone:.0f} ({alone / bare:.2f}) | "
            f"{page_bare:.0f} | {run.steps_per_second:.0f} ({run.steps_per_second / page_bare:.2f})"
            f" | {run.refreshes_per_second:.1f} | {run.bytes_per_refresh / 1024:.0f} KiB |"
        )
    return rows, startup


def startup_rows(servers: int) -> int:
    """Print the start-up times (seconds) of `servers` freshly started servers, one row each."""
    print("| run | server start to home page | home page, server up | Start to first point |")
    print("|---|---|---|---|")
    for run in range(1, servers + 1):
        startup, _ = browser.measure([], 0.0, ROOT / "test-artifacts", lambda cell, hidden: 0.0)
        print(
            f"| {run} | {startup.server_to_home_s:.2f} | {startup.open_to_home_s:.2f} | "
            f"{startup.start_to_first_point_s:.2f} |"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short configuration (for CI)")
    parser.add_argument(
        "--startup", type=int, metavar="N", help="only the start-up times, from N fresh servers"
    )
    parser.add_argument(
        "--attitude", action="store_true", help="only the attitude filters' rows (1M rows each)"
    )
    parser.add_argument(
        "--load", action="store_true", help="only the ten-session load rows (about 3 minutes)"
    )
    parser.add_argument(
        "--export", action="store_true", help="only the export's rows (a compile, a C++ build)"
    )
    parser.add_argument(
        "--correction", action="store_true", help="only the cost of correcting VQF per sample"
    )
    parser.add_argument(
        "--sweep", action="store_true", help="only a sweep's runs per minute, locally and on Ray"
    )
    parser.add_argument(
        "--demos", action="store_true", help="only the lecture demos' click-to-point times"
    )
    parser.add_argument(
        "--live", action="store_true", help="only live from a phone (--quick: about 3 s each)"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.demos:
        return demos_table()
    if args.live:
        return live_table(args.quick)
    if args.load:
        print(load.load_rows(ROOT / "test-artifacts"))
        return 0
    if args.sweep:
        return sweep_table(args.quick)
    if args.attitude:
        print(attitude_rows(1_000_000))
        return 0
    if args.correction:
        print(correction_table())
        return 0
    if args.startup:
        return startup_rows(args.startup)
    if args.export:
        print("\n".join(export.export_rows()))
        return 0
    configs, seconds = ([("lstm", 32)], 3.0) if args.quick else (FULL, 8.0)
    rows, startup = training_rows(configs, seconds)
    print(f"Measured {date.today()} on {machine()}.\n")
    print(
        "| model (hidden) | bare loop steps/s | Trainer alone (ratio) | bare loop, beside the page"
        " | Trainer, page open (ratio) | chart refreshes/s | update size |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(
        f"\n| start-up | seconds |\n|---|---|\n| server start to home page rendered | "
        f"{startup.server_to_home_s:.2f} |\n| home page opened to rendered (server up) | "
        f"{startup.open_to_home_s:.2f} |\n| Start clicked to first loss point | "
        f"{startup.start_to_first_point_s:.2f} |"
    )
    ours, reference = core.trace_and_gradients()
    print(
        f"\n| analysis | project | reference | ratio |\n|---|---|---|---|\n"
        f"| trace + hidden_grad_norms, LSTM B16 T200 H128 L2 | {ours:.3f} s | {reference:.3f} s"
        f" (nn.LSTM forward + backward) | {ours / reference:.1f} |"
    )
    alone, kept, share = store.store_cost("lstm", 32, seconds)
    print(
        f"| Trainer kept in the run store (SQLite), LSTM 32 | {kept:.0f} steps/s | {alone:.0f} "
        f"steps/s (Trainer alone) | {kept / alone:.2f} |\n"
        f"| the store's writer, per second of that training | {share * 1000:.1f} ms | 1000 ms |"
        f" {share:.4f} |"
    )
    reader = core.imu_reader(100_000 if args.quick else 1_000_000)
    if reader is None:
        print("| IMU reader vs pandas.read_csv | not available yet | | |")
    else:
        read, window, filtered, bare = reader
        rows_read = "100k" if args.quick else "1M"
        print(
            f"| IMU reader (parse, check, convert, resample), {rows_read} rows x 10 columns "
            f"| {read:.2f} s | {bare:.2f} s (pandas.read_csv) | {read / bare:.2f} |\n"
            f"| IMU reader + windows (split, z-scores, T = 20), {rows_read} rows | "
            f"{read + window:.2f} s | {bare:.2f} s | {(read + window) / bare:.2f} |\n"
            f"| complementary filter (roll, pitch), {rows_read} rows | {filtered:.2f} s | | |"
        )
    print(attitude_rows(100_000 if args.quick else 1_000_000))
    print(correction_table(1 if args.quick else 3))
    if not args.quick:  # a served page and a phone; a compile and a C++ build: minutes
        print("\n" + live.live_rows(LIVE_S[False], ROOT / "test-artifacts", baseline_charts=True))
        print("\n" + "\n".join(export.export_rows()))
    return 0


def live_table(quick: bool) -> int:
    """Print the live-from-a-phone rows (see `bench.live`), each measured LIVE_S[quick] s."""
    print(f"Measured {date.today()} on {machine()}.\n")
    print(live.live_rows(LIVE_S[quick], ROOT / "test-artifacts", baseline_charts=not quick))
    return 0


def demos_table() -> int:
    """Print each lecture demo's click-to-point time beside the bare loop's for its steps."""
    load = __import__("os").getloadavg()[0]
    print(f"Measured {date.today()} on {machine()}, load {load:.1f} at the start.\n")
    print("| demo | click to point (Chromium) | bare loop, same steps | ratio |\n|---|---|---|---|")
    print("\n".join(browser.measure_demos(ROOT / "test-artifacts")))
    return 0


def sweep_table(quick: bool) -> int:
    """Print a sweep's runs per minute (2 learning rates x 4 seeds of an LSTM 32)."""
    from bench.sweeps import sweep_rows

    steps = 50 if quick else 300
    print(f"Measured {date.today()} on {machine()}: 2 x 4 runs of {steps} steps, LSTM 32.\n")
    print("| where | runs per minute | ratio to 2 at a time here |\n|---|---|---|")
    print("\n".join(sweep_rows(seeds=4, steps=steps)))
    return 0


def correction_table(repeats: int = 3) -> str:
    """Markdown: the correction of VQF per sample against VQF alone (ratio in the same run)."""
    from bench.correction import correction_rows

    return "\n| correcting VQF | per sample | baseline | ratio |\n|---|---|---|---|\n" + (
        correction_rows(repeats=repeats)
    )


def attitude_rows(rows: int) -> str:
    """Markdown rows: each attitude method through one `rows`-long recording."""
    seconds = core.attitude_filters(rows)
    if seconds is None:
        return "| attitude filters | not available yet | | |"
    from rnn_core.datasets.imu.attitude import ATTITUDE_METHODS

    size = f"{rows / 1e6:g}M" if rows >= 1_000_000 else f"{rows // 1000}k"
    return "\n".join(
        f"| attitude: {ATTITUDE_METHODS[m].label} (roll, pitch), {size} rows | {s:.2f} s | | |"
        for m, s in seconds.items()
    )


if __name__ == "__main__":
    sys.exit(main())
