"""The BROAD set that ships in data/: which trials, and the role each plays.

BROAD (Laidig, Caruso, Cereatti, Seel 2021, CC BY 4.0) records an IMU at 285.7 Hz with an optical
reference; `scripts/make_broad_set.py` stores whole trials at 100 Hz in one zip of CSVs. A model
trains on the training trials, stops early on the validation trials, and is scored on the test
trials, which it never sees.
"""

from __future__ import annotations

from pathlib import Path

BROAD_SET_PATH = Path(__file__).resolve().parents[3] / "data" / "broad-set.zip"

BROAD_TRIALS = {  # trial (as BROAD names it) -> role
    "03_undisturbed_slow_rotation_C": "train",
    "05_undisturbed_slow_rotation_with_breaks_B": "train",
    "09_undisturbed_fast_rotation_with_breaks_B": "train",
    "10_undisturbed_slow_translation_A": "train",
    "12_undisturbed_slow_translation_C": "train",
    "16_undisturbed_fast_translation_B": "train",
    "24_disturbed_tapping_A": "train",
    "27_disturbed_phone_vibration_B": "train",
    "11_undisturbed_slow_translation_B": "validation",
    "14_undisturbed_slow_translation_with_breaks_B": "validation",
    "02_undisturbed_slow_rotation_B": "test",
    "07_undisturbed_fast_rotation_B": "test",
    "15_undisturbed_fast_translation_A": "test",
    "18_undisturbed_fast_translation_with_breaks_B": "test",
    "25_disturbed_tapping_B": "test",
}


def broad_member(trial: str) -> str:
    """The zip member that holds a trial."""
    return f"broad-{trial}.csv"


def read_broad_set(path=BROAD_SET_PATH, trials=None):
    """(names, recordings, roles) of the shipped BROAD set (or of `trials`, a few of its trial
    names), in BROAD_TRIALS's order."""
    from rnn_core.datasets.imu.recordings import read_zip_members

    chosen = [t for t in BROAD_TRIALS if trials is None or t in trials]
    names = [broad_member(trial) for trial in chosen]
    recordings = [r for _, r in read_zip_members(path, names)]
    return names, recordings, [BROAD_TRIALS[t] for t in chosen]
