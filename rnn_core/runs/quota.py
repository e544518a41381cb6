"""How much one browser may keep: a number of runs and of megabytes. When either is reached, new
runs are refused with a sentence that names what to delete; nothing is ever deleted for the user."""

from __future__ import annotations

import os
from dataclasses import dataclass

from rnn_core.runs.store import RunRecord, Usage

RUNS_SETTING, MEGABYTES_SETTING = "RNN_EXPLORER_QUOTA_RUNS", "RNN_EXPLORER_QUOTA_MB"


@dataclass(frozen=True)
class Quota:
    """The most one owner may keep."""

    max_runs: int = 200  # a term of lectures and evenings, with room to spare
    max_megabytes: float = 500.0  # a few hundred small models with their histories


def quota_from_environment() -> Quota:
    """The quota the settings name (RNN_EXPLORER_QUOTA_RUNS, RNN_EXPLORER_QUOTA_MB), else the
    defaults; a value that is not a positive number is ignored."""
    default = Quota()
    return Quota(
        max_runs=int(_positive(os.environ.get(RUNS_SETTING), default.max_runs)),
        max_megabytes=_positive(os.environ.get(MEGABYTES_SETTING), default.max_megabytes),
    )


def _positive(text: str | None, default: float) -> float:
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


def quota_problem(usage: Usage, quota: Quota, runs: list[RunRecord]) -> str | None:
    """A sentence when `usage` has reached the quota (what is full and which runs to delete
    first: the largest), else None."""
    if usage.runs < quota.max_runs and usage.megabytes < quota.max_megabytes:
        return None
    if usage.runs >= quota.max_runs:
        full = f"{usage.runs} runs, the most this browser may keep ({quota.max_runs})"
        order = sorted((r for r in runs if not r.active), key=lambda r: r.created)
    else:
        full = (
            f"{usage.megabytes:.0f} MB, the most this browser may keep ({quota.max_megabytes:g} MB)"
        )
        order = sorted((r for r in runs if not r.active), key=lambda r: -r.file_bytes)
    names = ", ".join(f"“{r.name}”" for r in order[:3])
    suggestion = f" (for instance {names})" if names else ""
    return (
        f"Your runs take {full}: delete runs you no longer need on the Runs page{suggestion}, "
        "then start again. Nothing is deleted for you."
    )
