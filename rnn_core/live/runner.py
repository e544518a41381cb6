"""Runs one session's Trainer beside the page, with pause / resume / stop / step.

On the CPU the training runs in its own process (`rnn_core.live.worker`), off the web server's
interpreter lock; on CUDA in a thread. The page never touches the model while it trains: it reads
`snapshot()`, a constant-size summary (thinned history, a preview computed beside the training,
state and message). Training stops by itself when the page stops calling `heartbeat()` (a closed
tab), and at most `max_concurrent_trainings()` run at once; the rest wait in a visible queue.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch

from rnn_core.live.budget import training_memory_limit
from rnn_core.live.memory_peak import peak_since, start_peak
from rnn_core.live.processes import training_context
from rnn_core.live.slots import STARTED, TRAINING_SLOTS, Slots
from rnn_core.live.worker import cpu_state, receive_message, send_message, train_in_process
from rnn_core.models import device_label
from rnn_core.training.trainer import Trainer

log = logging.getLogger(__name__)

HEARTBEAT_TIMEOUT_S = 15.0  # no poll from the page for this long: the session is gone
PREVIEW_INTERVAL_S = 1.0  # seconds between previews computed by the worker
FIRST_REPORT_WAIT_S = 0.5  # the longest a Start waits for the first step to be reported
SWITCH_INTERVAL_S = 0.0005  # GIL hand-over interval once a training runs in a server thread
# A training process still busy this long after it was told to stop (one very long step) is
# ended: with the heartbeat's timeout, a closed tab's training ends within 30 s.
STOP_GRACE_S = 10.0


def configure_torch_threads() -> None:
    """One torch thread per training: several sessions then share the cores instead of fighting."""
    torch.set_num_threads(1)


@dataclass(frozen=True)
class RunnerSnapshot:
    """What a page needs to draw one refresh; its size does not grow with training."""

    state: str  # idle, queued, running, paused, stopped, finished, early_stopped, diverged, error
    message: str
    history: pd.DataFrame  # thinned to at most ~2 * max_points rows
    steps_done: int
    steps_per_second: float
    preview: Any  # whatever the preview function returned last, or None
    queue_position: int | None
    peak_memory_mib: float | None = None  # what the last run added at its peak (None: unknown)
    device: str = "CPU"  # where the model trains, as `device_label` says it


class WeightSnapshots:
    """Copies of the weights every `every` steps, at most `capacity` kept (older ones thinned)."""

    def __init__(self, every: int = 25, capacity: int = 40) -> None:
        self.every, self.capacity = every, capacity
        self._items: list[tuple[int, dict[str, torch.Tensor]]] = []
        self._lock = threading.Lock()

    def maybe_record(self, step: int, model: torch.nn.Module) -> None:
        """Keep a CPU copy of the weights when `step` is a multiple of `every`."""
        if step % self.every == 0:
            self.record_state(step, cpu_state(model))

    def record_state(self, step: int, state: dict[str, torch.Tensor]) -> None:
        """Keep these weights (already a CPU copy) when `step` is a multiple of `every` and not
        kept already (a training process may report the same step twice)."""
        if step % self.every:
            return
        with self._lock:
            if self._items and self._items[-1][0] == step:
                return
            self._items.append((step, state))
            if len(self._items) > self.capacity:  # every other one goes: the spacing doubles
                self.every *= 2
                self._items = [(s, w) for s, w in self._items if s % self.every == 0]

    def items(self) -> list[tuple[int, dict[str, torch.Tensor]]]:
        """(step, state_dict) pairs, oldest first."""
        with self._lock:
            return list(self._items)


class TrainingRunner:
    """One session's training, in a daemon thread the page controls but never waits on."""

    def __init__(
        self,
        trainer: Trainer,
        preview: Callable[[torch.nn.Module], Any] | None = None,
        heartbeat_timeout: float = HEARTBEAT_TIMEOUT_S,
        slots: Slots = TRAINING_SLOTS,
        use_process: bool | None = None,
    ) -> None:
        self.trainer = trainer
        self.device = device_label(trainer.model)  # the model stays there for the runner's life
        self.snapshots = WeightSnapshots()
        self._preview_fn = preview
        self._preview: Any = None
        self._slots = slots
        self._heartbeat_timeout = heartbeat_timeout
        self._last_beat = time.monotonic()
        self._step_lock = threading.Lock()  # held around every use of the model
        self._resume = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state, self.message = "idle", ""
        self.snapshots.maybe_record(trainer.steps_done, trainer.model)
        # A separate process keeps training off the server's interpreter lock. CUDA stays in a
        # thread: its kernels release the lock anyway, and CUDA tensors would need IPC.
        on_cpu = next(trainer.model.parameters()).device.type == "cpu"
        self._use_process = on_cpu if use_process is None else use_process
        self._conn = None  # pipe to the training process while one runs
        self._send_lock = threading.Lock()
        self._stepped = threading.Event()
        # (step, weights) a training process last reported, while its trainer is away
        self._reported: tuple[int, dict[str, torch.Tensor]] | None = None
        self.peak_memory_mib: float | None = None

    @property
    def active(self) -> bool:
        """True while the worker thread is alive (queued, running or paused)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Begin a run in the background; False (and nothing changes) if one is active."""
        if self.active:
            return False
        self.trainer.begin()
        self._stop.clear()
        self._resume.set()
        self.heartbeat()
        self.state, self.message = "queued", ""
        if not self._use_process:
            # Every torch call releases the GIL; with the default 5 ms interval a page thread
            # busy building figures would keep this training thread waiting up to 5 ms per call.
            # Training processes need no such thing, and the server's many threads answer
            # sooner with the default (load test p95 0.82 -> 0.70 s).
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        work = self._work_in_process if self._use_process else self._work
        self._thread = threading.Thread(target=work, name="rnn-training", daemon=True)
        self._thread.start()
        STARTED.add(self)
        return True

    def pause(self) -> None:
        """Hold training after the current step."""
        if self.active:
            self._resume.clear()
            self._send("pause")
            self.state = "paused"

    def resume(self) -> None:
        """Continue a paused run."""
        if self.active:
            self.state = "running"
            self._send("resume")
            self._resume.set()

    def stop(self, wait: float = 5.0) -> None:
        """End the run after the current step; the trained weights stay. Safe to call twice."""
        self._stop.set()
        self._send("stop")
        self._resume.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=wait)

    def step_once(self) -> None:
        """One optimizer step now, while no run is going or a run is paused (for teaching)."""
        if self.active and self._resume.is_set():
            return
        if self.active and self._conn is not None:  # paused in the training process
            self._stepped.clear()
            self._send("step")
            self._stepped.wait(timeout=30)
            return
        with self._step_lock:
            self.trainer.step()
            self._after_step()
        if self.trainer.status == "diverged":
            self.state, self.message = "diverged", self.trainer.message
        elif not self.active:
            self.message = f"One step taken: now at step {self.trainer.steps_done}."
        self._refresh_preview()

    def wait_for_progress(self, steps_before: int, timeout: float = FIRST_REPORT_WAIT_S) -> bool:
        """Block up to `timeout` seconds until training has passed `steps_before` steps or the
        run has ended; True if it has. A page that redraws right after Start then shows the first
        point in that redraw instead of the next refresh."""
        deadline = time.monotonic() + timeout
        while self.trainer.steps_done <= steps_before and self.active:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return self.trainer.steps_done > steps_before

    def current_weights(self) -> tuple[int, dict[str, torch.Tensor]]:
        """(step, CPU copy of the weights), taken between two optimizer steps. While a training
        process runs, the weights it last reported (this process's model is the one it started
        from until the process sends its trainer back)."""
        reported = self._reported
        if reported is not None:
            return reported[0], dict(reported[1])
        with self._step_lock:
            state = self.trainer.model.state_dict()
            return self.trainer.steps_done, {
                k: v.detach().to("cpu", copy=True) for k, v in state.items()
            }

    def heartbeat(self) -> None:
        """Called by the page on every refresh; without it the worker stops itself."""
        self._last_beat = time.monotonic()

    def snapshot(self, max_points: int = 600) -> RunnerSnapshot:
        """A consistent, bounded view for one refresh of the page."""
        history = self.trainer.history.frame(max_points)
        return RunnerSnapshot(
            state=self.state,
            message=self.message or self.trainer.message,
            history=history,
            steps_done=self.trainer.steps_done,
            steps_per_second=_rate(history),
            preview=self._preview,
            queue_position=self._slots.position(self),
            peak_memory_mib=self.peak_memory_mib,
            device=self.device,
        )

    def _work(self) -> None:
        torch.set_grad_enabled(True)
        if not self._slots.acquire(self, give_up=self._should_end):
            self.state, self.message = "stopped", self._end_reason()
            return
        device = next(self.trainer.model.parameters()).device
        # The CPU peak is per process: measurable in a training process, not in the server's.
        memory = start_peak(device) if device.type == "cuda" else None
        try:
            if self.state == "queued":
                self.state = "running"
            self._train_loop()
            self._refresh_preview()
            self.peak_memory_mib = peak_since(memory, device)
        except Exception as err:  # a failure must reach the page as a sentence, not kill it
            log.exception("training failed")
            self.state, self.message = "error", f"Training stopped on an internal error: {err}"
        finally:
            self._slots.release()

    def _send(self, command: str) -> None:
        with self._send_lock:
            if self._conn is not None:
                with contextlib.suppress(BrokenPipeError, OSError):  # the process has ended
                    send_message(self._conn, (command,))

    def _work_in_process(self) -> None:
        if not self._slots.acquire(self, give_up=self._should_end):
            self.state, self.message = "stopped", self._end_reason()
            return
        process = None
        try:
            parent, child = training_context().Pipe()
            limit = training_memory_limit()  # the server's setting, read when the run starts
            payload = pickle.dumps((self.trainer, self._preview_fn, self.snapshots.every, limit))
            process = training_context().Process(
                target=train_in_process, args=(child, payload), daemon=True
            )
            self._reported = self.current_weights()  # what the process starts from
            process.start()
            child.close()
            with self._send_lock:
                self._conn = parent
            if self.state == "queued":
                self.state = "running"
            if not self._resume.is_set():
                self._send("pause")
            self._listen(parent, process)
        except Exception as err:
            log.exception("training process failed")
            self.state, self.message = "error", f"Training stopped on an internal error: {err}"
        finally:
            self._reported = None  # the trainer is back (or the process failed): ours again
            with self._send_lock:
                self._conn = None
            if process is not None:
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
            self._slots.release()

    def _listen(self, conn, process) -> None:
        """Apply the training process's reports until it sends the trainer back."""
        stop_sent = None
        while True:
            if self._should_end() and stop_sent is None:
                self._send("stop")
                stop_sent = time.monotonic()
            if stop_sent is not None and time.monotonic() - stop_sent > STOP_GRACE_S:
                self._end_stuck(process)
                return
            if not conn.poll(0.2):
                # The process may send its last reports and exit between the poll and this
                # check: it ended unexpectedly only if nothing is left to read.
                if not process.is_alive() and not conn.poll(0):
                    self.state = "error"
                    self.message = "The training process ended unexpectedly; press Start again."
                    return
                continue
            try:
                kind, *payload = receive_message(conn)
            except EOFError:  # the process went away without sending the trainer back
                self.state = "error"
                self.message = "The training process ended unexpectedly; press Start again."
                return
            if kind == "rows":
                self.trainer.history.extend(payload[0])
                self.trainer.steps_done = int(payload[0][-1, 0])
            elif kind == "preview":
                self._preview = payload[0]
            elif kind == "weights":
                self._reported = (payload[0], payload[1])
                self.snapshots.record_state(payload[0], payload[1])
            elif kind == "stepped":
                self._stepped.set()
            elif kind == "memory":
                self.peak_memory_mib = payload[0]
            elif kind == "error":
                self.state, self.message = "error", payload[0]
                return
            elif kind == "done":
                self._adopt(payload[0])
                return

    def _end_stuck(self, process) -> None:
        """End a training process that did not stop in time; keep the weights it last sent."""
        process.terminate()
        reported = self._reported
        if reported is not None:
            with self._step_lock:
                self.trainer.model.load_state_dict(reported[1])
                self.trainer.steps_done = reported[0]
        self.state = "stopped"
        self.message = (
            f"{self._end_reason()} Its last step took too long to finish, so it was ended; "
            f"the weights of step {self.trainer.steps_done} are kept."
        )

    def _adopt(self, trainer: Trainer) -> None:
        """Take the trainer the process sent back; keep this process's data (no second copy)."""
        trainer.data = self.trainer.data
        self.trainer = trainer
        self._reported = None  # its model is the latest now
        if trainer.done:
            self.state, self.message = trainer.status, trainer.message
        else:
            self.state, self.message = "stopped", self._end_reason()

    def _train_loop(self) -> None:
        next_preview = 0.0
        while True:
            if self._should_end():
                self.state, self.message = "stopped", self._end_reason()
                return
            if not self._resume.wait(timeout=0.2):
                continue
            if not self.trainer.done:
                with self._step_lock:
                    self.trainer.step()
                    self._after_step()
            if self.trainer.done:
                self.state, self.message = self.trainer.status, self.trainer.message
                return
            if time.monotonic() >= next_preview:
                self._refresh_preview()
                next_preview = time.monotonic() + PREVIEW_INTERVAL_S

    def _after_step(self) -> None:
        self.snapshots.maybe_record(self.trainer.steps_done, self.trainer.model)

    def _refresh_preview(self) -> None:
        if self._preview_fn is None:
            return
        with self._step_lock:
            self._preview = self._preview_fn(self.trainer.model)

    def _should_end(self) -> bool:
        return self._stop.is_set() or self._heartbeat_lost()

    def _heartbeat_lost(self) -> bool:
        return time.monotonic() - self._last_beat > self._heartbeat_timeout

    def _end_reason(self) -> str:
        if self._stop.is_set():
            return f"Stopped at step {self.trainer.steps_done}; the trained weights are kept."
        return "Stopped: the page stopped asking for updates (closed tab or lost connection)."


def _rate(history: pd.DataFrame, window: int = 50) -> float:
    """Recent optimizer steps per second of training time."""
    if len(history) < 2:
        return 0.0
    tail = history.iloc[-window:]
    steps = tail["step"].iloc[-1] - tail["step"].iloc[0]
    seconds = tail["seconds"].iloc[-1] - tail["seconds"].iloc[0]
    return float(steps / seconds) if seconds > 0 else 0.0
