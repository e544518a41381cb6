"""The states of a run: one vocabulary for the runtime, the pages and the run store."""

from __future__ import annotations

from enum import StrEnum


class RunState(StrEnum):
    """Where a run stands; the value is the word a page shows."""

    IDLE = "idle"  # built, never started
    QUEUED = "queued"  # waiting for a free training slot
    TRAINING = "training"
    PAUSED = "paused"
    FINISHED = "finished"
    EARLY_STOPPED = "early_stopped"
    STOPPED = "stopped"  # by the user, or because its page went away
    DIVERGED = "diverged"
    INTERRUPTED = "interrupted"  # the server ended while it trained
    FAILED = "failed"  # an error, or the training process died

    @property
    def active(self) -> bool:
        """True while a training process is (or will be) working on the run."""
        return self in (RunState.QUEUED, RunState.TRAINING, RunState.PAUSED)

    @property
    def label(self) -> str:
        """The state as a page names it."""
        return _LABELS[self]


def ended_state(trainer_status: str) -> RunState:
    """The run state a trainer's final status means (finished, early_stopped, diverged)."""
    return RunState(trainer_status) if trainer_status in _ENDS else RunState.STOPPED


_ENDS = ("finished", "early_stopped", "diverged")

_LABELS = {
    RunState.IDLE: "Ready",
    RunState.QUEUED: "Waiting for a free training slot",
    RunState.TRAINING: "Training",
    RunState.PAUSED: "Paused",
    RunState.FINISHED: "Finished",
    RunState.EARLY_STOPPED: "Stopped early",
    RunState.STOPPED: "Stopped",
    RunState.DIVERGED: "Diverged",
    RunState.INTERRUPTED: "Interrupted by a server restart",
    RunState.FAILED: "Failed",
}
