"""Which devices can train, answered without importing torch when the answer is plain.

Importing torch takes a second or more; the home page offers the device before anything else
needs torch. A CPU-only build of torch (no CUDA, no ROCm) can only train on the CPU, and its
`torch/version.py` says so; any other build is asked through `torch.cuda.is_available()`.
"""

from __future__ import annotations

import functools
import importlib.util
import runpy
from pathlib import Path

GPU_BUILDS = ("cuda", "hip")  # torch.version's names; ROCm builds also train on "cuda"


@functools.cache  # the installed torch does not change while the app runs
def gpu_build() -> bool:
    """Whether the installed torch was built for a GPU (`torch.version.cuda` or `.hip` set),
    read from its version file without importing it; True when the file cannot be read, so
    that torch is asked."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return True
    path = Path(spec.submodule_search_locations[0]) / "version.py"
    try:
        version = runpy.run_path(str(path))  # torch's own version file: a few assignments
    except Exception:  # unreadable: torch is asked
        return True
    if not all(name in version for name in GPU_BUILDS):
        return True
    return any(version[name] is not None for name in GPU_BUILDS)


def available_devices() -> list[str]:
    """'cuda' first when a GPU is usable, then 'cpu'."""
    if not gpu_build():
        return ["cpu"]
    import torch  # here, not above: a CPU-only build never needs it for this answer

    return (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]
