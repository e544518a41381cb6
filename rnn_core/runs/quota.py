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


ONE_RUN = Usage(1, 0.0)  # what a Start adds: one run, its megabytes not known yet


def quota_problem(
    usage: Usage, quota: Quota, runs: list[RunRecord], adding: Usage = ONE_RUN
) -> str | None:
    """A sentence when `usage` plus what is about to be added (`adding`: one run by default; a
    sweep's runs, an import's megabytes) passes the quota, saying how many runs to delete and
    which first (the oldest, or the largest), else None."""
    if usage.runs + adding.runs > quota.max_runs:
        full, what = _too_many(usage, quota, adding)
        order = sorted((r for r in runs if not r.active), key=lambda r: r.created)
    elif (
        usage.megabytes >= quota.max_megabytes
        or usage.megabytes + adding.megabytes > quota.max_megabytes
    ):
        added = f", and this would add {adding.megabytes:.1f} MB" if adding.megabytes else ""
        full = (
            f"Your runs take {usage.megabytes:.0f} MB{added}; this browser may keep "
            f"{quota.max_megabytes:g} MB"
        )
        what = "runs you no longer need"
        order = sorted((r for r in runs if not r.active), key=lambda r: -r.file_bytes)
    else:
        return None
    names = ", ".join(f"“{shortened(r.name, 40)}”" for r in order[:3])
    suggestion = f" (for instance {names})" if names else ""
    return (
        f"{full}: delete {what} on the Runs page{suggestion}, then start again. "
        "Nothing is deleted for you."
    )


def _too_many(usage: Usage, quota: Quota, adding: Usage) -> tuple[str, str]:
    """What is full, and how many runs to delete, when the runs would pass the quota."""
    over = usage.runs + adding.runs - quota.max_runs
    what = f"at least {over:,} run{'s' if over > 1 else ''}"
    if adding.runs > 1:
        return (
            f"This would add {adding.runs:,} runs to your {usage.runs:,}, and this browser may "
            f"keep {quota.max_runs:,}",
            what,
        )
    return (
        f"Your runs take {usage.runs:,} runs, the most this browser may keep ({quota.max_runs:,})",
        what,
    )


def shortened(text: str, most: int) -> str:
    """`text` cut to `most` characters with an ellipsis when longer."""
    return text if len(text) <= most else text[: most - 1] + "…"
