"""Peak memory of one training, measured where it runs: on the CPU the training process's resident
high-water mark (Linux /proc, reset when the training starts), on CUDA the allocator's peak."""

from __future__ import annotations

from pathlib import Path

import torch

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_mib(field: str) -> float | None:
    """A 'VmRSS' / 'VmHWM' line of /proc/self/status in MiB, or None off Linux."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def start_peak(device: str | torch.device) -> float | None:
    """Reset the peak and return the memory in use now (MiB), or None where it cannot be read.
    On the CPU this must run in a process of its own (it resets the whole process's peak)."""
    if torch.device(device).type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        return torch.cuda.memory_allocated(device) / 2**20
    try:
        _CLEAR_REFS.write_text("5")  # resets VmHWM to the current resident size
    except OSError:
        return None
    return _status_mib("VmRSS")


def peak_since(start: float | None, device: str | torch.device) -> float | None:
    """MiB the training added at its peak over what was in use at `start_peak`."""
    if start is None:
        return None
    if torch.device(device).type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20 - start
    peak = _status_mib("VmHWM")
    return None if peak is None else max(peak - start, 0.0)
