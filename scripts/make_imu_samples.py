"""Write the bundled IMU sample recordings into data/: simulated, so their true roll and pitch are
known, and deterministic, so every run writes the same bytes (a test checks it).

    python scripts/make_imu_samples.py [folder]     (default: data/ of this repository)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from rnn_core.datasets.imu.export import to_format  # noqa: E402
from rnn_core.datasets.imu.simulator import SimulatorConfig, simulate  # noqa: E402

SAMPLES = {  # file -> (simulation, export format)
    "imu-sim-50hz.csv": (SimulatorConfig(seed=0), "generic"),  # the IMU preset's recording
    "imu-sim-labelled.csv": (SimulatorConfig(seed=1, labels=True), "generic"),
    "imu-sim-phyphox.zip": (SimulatorConfig(seed=2, duration_s=120.0), "phyphox-zip"),
    "imu-sim-arduino.csv": (SimulatorConfig(seed=3), "arduino-raw"),
}


def write_samples(folder: Path) -> list[Path]:
    """Write every sample into folder and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (config, fmt) in SAMPLES.items():
        path = folder / name
        path.write_bytes(to_format(simulate(config), fmt))
        paths.append(path)
    return paths


def main(argv: list[str]) -> None:
    folder = Path(argv[1]) if len(argv) > 1 else ROOT / "data"
    for path in write_samples(folder):
        print(f"{path}  {path.stat().st_size / 1024:,.0f} KiB")


if __name__ == "__main__":
    main(sys.argv)
