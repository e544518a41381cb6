"""Build and run the C++ example (examples/cpp) against the torch wheel's libtorch: the two
commands the README shows, for the tests and the benchmark."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch.utils

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cpp"
BINARY = "rnn_export_example"


def build_example(build_dir: str | os.PathLike, jobs: int = 2) -> Path:
    """Configure and build the example with CMake (g++); the path of the program.
    CalledProcessError, with CMake's output, when it does not build."""
    build_dir = Path(build_dir)
    prefix = f"-DCMAKE_PREFIX_PATH={torch.utils.cmake_prefix_path}"
    for command in (
        ["cmake", "-S", str(EXAMPLE), "-B", str(build_dir), prefix],
        ["cmake", "--build", str(build_dir), "-j", str(jobs)],
    ):
        subprocess.run(command, check=True, capture_output=True, text=True)
    return build_dir / BINARY


@dataclass(frozen=True)
class ExampleRun:
    """What the program printed: one prediction per full window, its timing, or its refusal."""

    returncode: int
    samples: np.ndarray  # (P,) index of the newest sample of each window
    predictions: np.ndarray  # (P, K)
    microseconds: float | None  # per prediction, as the program measured it
    message: str  # what it wrote to stderr (a refusal's sentence)


def run_example(program: Path, folder: Path, *arguments: str) -> ExampleRun:
    """Run the program on an unzipped export folder and read what it printed."""
    done = subprocess.run(
        [str(program), str(folder), *arguments], capture_output=True, text=True, timeout=600
    )
    rows = [line.split(",") for line in done.stdout.splitlines() if line.strip()]
    values = np.array(rows, dtype=np.float64) if rows else np.zeros((0, 1))
    timing = re.search(r"([\d.]+) microseconds each", done.stderr)
    return ExampleRun(
        done.returncode,
        values[:, 0].astype(np.int64),
        values[:, 1:],
        float(timing.group(1)) if timing else None,
        done.stderr.strip(),
    )
