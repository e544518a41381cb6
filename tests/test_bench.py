"""The benchmark keeps working: its quick version runs and prints a complete table (no timing
thresholds: these machines are shared, so the benchmark reports and never asserts speed)."""

import re

import pytest

from bench.__main__ import main

pytestmark = pytest.mark.browser


def test_quick_benchmark_prints_every_row(capsys):
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    row = re.search(r"\| LSTM 32 \| (\d+) \| (\d+) \(([\d.]+)\) \| (\d+) \(([\d.]+)\) \|", out)
    assert row, out
    bare, alone, ratio = float(row[1]), float(row[2]), float(row[3])
    assert bare > 0 and alone > 0 and ratio == pytest.approx(alone / bare, abs=0.01)
    for label in (
        "server start to home page rendered",
        "Start clicked to first loss point",
        "trace + hidden_grad_norms",
        "IMU reader",
    ):
        assert label in out
