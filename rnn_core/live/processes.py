"""Where training processes come from: a fork server that has imported torch and the core once."""

from __future__ import annotations

import multiprocessing
import threading

_CONTEXT = None


def training_context():
    """The multiprocessing context for training processes: a fork server that has imported torch
    and the core once, so a new training starts in a fraction of a second and safely (no fork of
    the threaded web server)."""
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        # torch._dynamo: optimizers import it on first use (about 2 s), in the server and here.
        _CONTEXT.set_forkserver_preload(["rnn_core.live.child", "torch._dynamo"])
    return _CONTEXT


_FORK_SERVER_UP = threading.Event()


def start_fork_server() -> None:
    """Start the fork server (once) without waiting for it: it imports torch and the core in
    its own process, so the first Start finds it ready."""
    if not _FORK_SERVER_UP.is_set():
        _FORK_SERVER_UP.set()
        threading.Thread(target=_run_one_process, name="rnn-fork-server", daemon=True).start()


def _run_one_process() -> None:
    process = training_context().Process(target=_noop, daemon=True)
    process.start()
    process.join()


def import_first_optimizer() -> None:
    """Build and drop one optimizer, so that the first Start does not import torch._dynamo
    (about 1 s)."""
    import torch

    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


def _noop() -> None:
    """Nothing: a process that only proves the fork server runs."""
