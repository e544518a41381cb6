"""The training loop of a separate process: a Trainer, driven by commands from the page's process.

Training in its own process keeps it off the web server's interpreter lock: the server building
figures and answering browsers no longer slows every optimizer step.

    page process (TrainingRunner)            training process (train_in_process)
        ("pause",) ("resume",) ("step",) ("stop",)  ->
        <-  ("rows", history rows)  ("preview", obj)  ("weights", step, state)
        <-  ("stepped", steps)  ("memory", peak MiB)  ("done", trainer)  ("error", sentence)

Messages travel as plain pickles (`send_message` / `receive_message`), not through torch's
multiprocessing reducers: those move tensors through shared memory, which small or missing
/dev/shm (containers, sandboxes) makes fail.
"""

from __future__ import annotations

import os
import pickle
import resource
import time
import traceback
from collections.abc import Callable
from typing import Any

import torch

from rnn_core.live.budget import mib_text
from rnn_core.live.memory_peak import peak_since, start_peak
from rnn_core.training.trainer import Trainer

FLUSH_INTERVAL_S = 0.05  # history rows go to the page at most this often
PREVIEW_INTERVAL_S = 1.0  # previews and the latest weights
# Trainings yield the CPU to the web server (and so to every page) whenever it needs it; they
# still use every cycle the server leaves idle.
TRAINING_NICENESS = 19


def send_message(conn, message: tuple) -> None:
    """Send a tuple as a plain pickle (tensors serialised in the message, no shared memory)."""
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def receive_message(conn) -> tuple:
    """The next tuple sent with `send_message`."""
    return pickle.loads(conn.recv_bytes())


def cpu_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A CPU copy of the model's weights."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


class _Session:
    """The child's side of the conversation."""

    def __init__(self, conn, trainer: Trainer, preview: Callable | None, snapshot_every: int):
        self.conn, self.trainer, self.preview = conn, trainer, preview
        self.snapshot_every = snapshot_every
        self.sent_rows = len(trainer.history)
        self.next_flush = self.next_preview = 0.0

    def step(self) -> None:
        self.trainer.step()
        steps = self.trainer.steps_done
        if steps % self.snapshot_every == 0:
            self.flush()
            send_message(self.conn, ("weights", steps, cpu_state(self.trainer.model)))

    def flush(self, force_preview: bool = False) -> None:
        now = time.monotonic()
        if len(self.trainer.history) > self.sent_rows:
            send_message(self.conn, ("rows", self.trainer.history.rows_since(self.sent_rows)))
            self.sent_rows = len(self.trainer.history)
        if force_preview or now >= self.next_preview:
            if self.preview is not None:
                send_message(self.conn, ("preview", self.preview(self.trainer.model)))
            send_message(
                self.conn, ("weights", self.trainer.steps_done, cpu_state(self.trainer.model))
            )
            self.next_preview = now + PREVIEW_INTERVAL_S
        self.next_flush = now + FLUSH_INTERVAL_S

    def handle(self, command: str, paused: bool) -> tuple[bool, bool]:
        """Apply one command; returns (paused, stop)."""
        if command == "stop":
            return paused, True
        if command == "step":
            self.step()
            self.flush(force_preview=True)
            send_message(self.conn, ("stepped", self.trainer.steps_done))
        if command == "pause":
            self.flush(force_preview=True)  # the page sees every step taken before the pause
        return {"pause": True, "resume": False}.get(command, paused), False

    def run(self) -> None:
        paused = False
        while not self.trainer.done:
            if self.conn.poll(0.2 if paused else 0):
                paused, stop = self.handle(receive_message(self.conn)[0], paused)
                if stop:
                    break
                continue
            if paused:
                continue
            self.step()
            if time.monotonic() >= self.next_flush:
                self.flush()
        self.flush(force_preview=True)


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
    """True for the errors torch and Python raise when an allocation fails."""
    text = str(err).lower()
    return isinstance(err, MemoryError) or "alloc" in text and "memory" in text


def out_of_memory_sentence(limit: int) -> str:
    """What the page says when a training passed its memory limit."""
    return (
        f"Training stopped: it needed more than the {mib_text(limit)} of memory one training "
        "may use on this machine. Lower the batch size, the window length (on 1 · Data) or the "
        "model's size, then press Start again."
    )


def train_in_process(conn, payload: bytes) -> Any:
    """Entry point of the training process: unpickle (trainer, preview, snapshot_every, memory
    limit in bytes), train
    until done or told to stop, then send the trainer back whole (weights, optimizer state,
    history) so a later Start continues it. The process may add at most the training memory
    limit: past it the run ends with a sentence, and nothing else is touched."""
    torch.set_num_threads(1)
    os.nice(TRAINING_NICENESS)
    trainer, preview, snapshot_every, limit = pickle.loads(payload)
    memory = start_peak("cpu")
    limit_memory(limit)
    try:
        _Session(conn, trainer, preview, snapshot_every).run()
        send_message(conn, ("memory", peak_since(memory, "cpu")))
        send_message(conn, ("done", trainer))
    except Exception as err:  # the page shows a sentence; the details go to the server log
        if out_of_memory(err):
            send_message(conn, ("error", out_of_memory_sentence(limit)))
        else:
            traceback.print_exc()
            send_message(conn, ("error", f"Training stopped on an internal error: {err}"))
    finally:
        conn.close()
