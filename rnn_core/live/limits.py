"""A training process's own memory limit, and the sentence when a training passes it."""

from __future__ import annotations

import resource

from rnn_core.live.budget import mib_text


def limit_memory(extra: int) -> int | None:
    """Cap this process's address space at what it uses now plus `extra` bytes, so that a
    training that needs more fails alone (MemoryError) instead of exhausting the machine.
    Returns the cap, or None where it cannot be set."""
    try:
        with open("/proc/self/status") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
        cap = size + extra
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        return cap
    except (OSError, ValueError, StopIteration):
        return None


def out_of_memory(err: BaseException) -> bool:
    """True for the errors torch and Python raise when an allocation fails; oneDNN says it
    "could not create a primitive" when it cannot map its workspace under the cap."""
    text = str(err).lower()
    return (
        isinstance(err, MemoryError)
        or "alloc" in text
        and "memory" in text
        or "could not create a primitive" in text
    )


def out_of_memory_sentence(limit: int) -> str:
    """What the page says when a training passed its memory limit."""
    return (
        f"Training stopped: it needed more than the {mib_text(limit)} of memory one training "
        "may use on this machine. Lower the batch size, the window length (on 1 · Data) or the "
        "model's size, then press Start again."
    )
