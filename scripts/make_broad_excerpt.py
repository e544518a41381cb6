"""Cut the shipped BROAD excerpt out of trial 02 (CC BY 4.0), rows unedited.

    python scripts/make_broad_excerpt.py [path to broad-02_undisturbed_slow_rotation_B.csv]

The excerpt is 50 s of trial 02 (34 s to 84 s: 6 s at rest, then slow rotations), every row as
the published CSV has it, so `data/broad-02-excerpt.csv` holds the optical ground truth, its
holes and the movement flag exactly as the benchmark does.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "imu-samples" / "broad-02_undisturbed_slow_rotation_B.csv"
TARGET = ROOT / "data" / "broad-02-excerpt.csv"
START_S, END_S = 34.0, 84.0


def main(source: Path = SOURCE) -> None:
    """Write the rows of `source` whose time lies in [START_S, END_S) to TARGET, header first."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines[1:] if START_S <= float(line.split(",", 1)[0]) < END_S]
    TARGET.write_text(lines[0] + "".join(kept), encoding="utf-8")
    print(f"{TARGET.name}: {len(kept):,} rows, {TARGET.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
