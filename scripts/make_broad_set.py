"""Write the shipped BROAD set, `data/broad-set.zip`: whole BROAD trials at 100 Hz (CC BY 4.0).

    python scripts/make_broad_set.py FOLDER_WITH_BROAD_HDF5 [output zip]

FOLDER holds the published trials of https://github.com/dlaidig/broad (`data_hdf5/*.hdf5`).
Reading HDF5 needs `h5py`, which neither the app nor the tests need: install it apart (for
example `pip install --target /tmp/h5 h5py`, then run with `PYTHONPATH=/tmp/h5`).

Each trial goes through the app's own reader at 100 Hz (`read_imu_csv(..., target_rate=100)`:
averaged over 3 samples against aliasing, then linear interpolation onto the grid), so the
shipped rows are what the app would make of the full-rate trial. Every member is a CSV in the
layout of `data/broad-02-excerpt.csv`: IMU (m/s², rad/s, µT), the optical truth quaternion
(empty where the reference dropped out) and the movement flag, 6 significant digits. The zip is
written with fixed member dates, so the same input gives the same bytes.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from rnn_core.datasets.imu.broad_set import BROAD_SET_PATH, BROAD_TRIALS, broad_member  # noqa: E402
from rnn_core.datasets.imu.reader import read_imu_csv  # noqa: E402

RATE = 100.0  # Hz of the shipped rows (BROAD records at 285.7 Hz)
HEADER = (
    "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z,mag_x,mag_y,mag_z,"
    "quat_w,quat_x,quat_y,quat_z,movement"
)
CHANNELS = ["ax", "ay", "az", "gx", "gy", "gz", "mx", "my", "mz", "qw", "qx", "qy", "qz"]


def full_rate_csv(path: Path) -> bytes:
    """The trial at its own rate as CSV text in HEADER's layout (truth holes left empty)."""
    import h5py

    with h5py.File(path, "r") as f:
        rate = float(f.attrs["sampling_rate"])
        parts = [f[k][()] for k in ("imu_acc", "imu_gyr", "imu_mag", "opt_quat")]
        movement = f["movement"][()].astype(np.int64)
    table = np.column_stack([np.arange(len(movement)) / rate, *parts])  # (N, 14)
    return _csv(table, movement)


def _csv(table: np.ndarray, movement: np.ndarray) -> bytes:
    """Rows of time, channels and quaternion (6 significant digits, NaN as empty) + the flag."""
    lines = [HEADER]
    for row, flag in zip(table, movement, strict=True):
        cells = ["" if not np.isfinite(v) else f"{v:.6g}" for v in row]
        lines.append(",".join(cells) + f",{int(flag)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def at_rate(csv: bytes) -> bytes:
    """The trial as the app reads it at RATE, written back in HEADER's layout."""
    recording = read_imu_csv(csv, target_rate=RATE)
    values = recording.channels[CHANNELS].to_numpy(np.float64)  # (M, 13), quaternion NaN in holes
    table = np.column_stack([recording.time, values])  # (M, 14)
    return _csv(table, recording.motion.astype(np.int64))


def write_set(folder: Path, target: Path = BROAD_SET_PATH) -> None:
    """Convert every trial of BROAD_TRIALS found in `folder` into one zip at `target`."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in BROAD_TRIALS:
            data = at_rate(full_rate_csv(folder / f"{name}.hdf5"))
            info = zipfile.ZipInfo(broad_member(name), date_time=(2021, 6, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
            rows = data.count(b"\n") - 1
            print(f"{info.filename}: {rows:,} rows, {len(data) / 1e6:.2f} MB")
    print(f"{target.name}: {target.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    write_set(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else BROAD_SET_PATH)
