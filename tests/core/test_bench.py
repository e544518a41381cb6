"""The benchmark keeps working: its quick version runs and prints a complete table (no timing
thresholds: these machines are shared, so the benchmark reports and never asserts speed)."""

import re
import subprocess
import sys

import pytest

from tests.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def run_bench(*options: str) -> subprocess.CompletedProcess:
    """`python -m bench` in a separate process, as `make bench` runs it (and apart from the
    browser tests' own Playwright loop, which the sync API cannot share)."""
    return subprocess.run(
        [sys.executable, "-m", "bench", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


# the live-from-a-phone rows (bench/live.py), each: what | measured | baseline | ratio
LIVE_ROWS = (
    "sample to screen p50",
    "sample to screen p95",
    "the server process's CPU",
    "Chromium's CPU",
    "the live loop's CPU",
    "the simulated phone's server",
    "bare training loop, LSTM 32, the hub live beside it",
    "forecasts/s, LiveForecaster.step carried",
    "forecasts/s, LiveForecaster.step window",
)


@pytest.mark.xdist_group("bench-quick")
def test_quick_benchmark_prints_every_row():
    done = run_bench("--quick")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    row = re.search(
        r"\| LSTM 32 \| (\d+) \| (\d+) \(([\d.]+)\) \| (\d+) \| (\d+) \(([\d.]+)\) \|", out
    )
    assert row, out
    # Each ratio divides two rates printed rounded to whole steps/s, and is printed to 0.01: it
    # must lie within what those roundings allow.
    for bare, rate, ratio in ((row[1], row[2], row[3]), (row[4], row[5], row[6])):
        bare, rate, ratio = float(bare), float(rate), float(ratio)
        assert bare > 0 and rate > 0, out
        assert (
            (rate - 0.5) / (bare + 0.5) - 0.005 <= ratio <= (rate + 0.5) / (bare - 0.5) + 0.005
        ), out
    for label in (
        "server start to home page rendered",
        "Start clicked to first loss point",
        "trace + hidden_grad_norms",
        "IMU reader",
    ):
        assert label in out


@pytest.mark.xdist_group("bench-start-up")
def test_the_start_up_alone_prints_one_row_per_server():
    done = run_bench("--startup", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = re.findall(r"^\| 1 \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", done.stdout, re.MULTILINE)
    assert len(rows) == 1, done.stdout
    assert all(float(seconds) > 0 for seconds in rows[0])


@pytest.mark.xdist_group("bench-sweep")
def test_sweep_benchmark_prints_runs_per_minute_here_and_on_ray():
    done = run_bench("--sweep", "--quick")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    for label in ("1 training at a time", "2 at a time", "workers starting", "workers warm"):
        row = re.search(rf"\| [^|]*{label}[^|]* \| ([\d.]+) \| ([\d.]+) \|", out)
        assert row and float(row[1]) > 0, out


@pytest.mark.xdist_group("bench-live")
def test_live_benchmark_prints_every_row_with_numbers():
    done = run_bench("--live", "--quick")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    for label in LIVE_ROWS:
        line = next((li for li in out.splitlines() if li.startswith(f"| {label}")), None)
        assert line, (label, out)
        measured, baseline, ratio = line.strip("|").split(" | ")[1:]
        for cell in (measured, baseline, ratio):  # a number first (never nan), any unit after
            number = re.match(r"[\d.]+", cell)
            assert number and float(number[0]) >= 0, (label, line)
