"""One run, trained in a process of its own beside the page, on the CPU or CUDA alike.

The page never touches the model: it reads `snapshot()`, a constant-size summary of what the
training process reported (history, preview, weights, state). Every change of state goes through
`_set_state`, which also tells the run's listener (a run store). A run that ended can be started
again: it continues from its latest state in a new process. It ends by itself when the page stops
calling `heartbeat()` (a closed tab), and at most one training per core runs at once; the rest
wait in a visible queue.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import threading
import time
import uuid
from dataclasses import replace
from typing import Any

import torch

from rnn_core.live import registry
from rnn_core.live.budget import training_memory_limit
from rnn_core.live.child import receive_message, send_message, train_in_process
from rnn_core.live.processes import training_context
from rnn_core.live.reports import RunListener, RunSnapshot, steps_per_second
from rnn_core.live.slots import STARTED, TRAINING_SLOTS, Slots
from rnn_core.live.snapshots import WeightSnapshots
from rnn_core.live.spec import RunSpec
from rnn_core.live.states import RunState, ended_state
from rnn_core.models import build_model
from rnn_core.training.history import History
from rnn_core.training.state import TrainingState
from rnn_core.training.trainer import TrainConfig

log = logging.getLogger(__name__)

HEARTBEAT_TIMEOUT_S = 15.0  # no poll from the page for this long: the session is gone
FIRST_REPORT_WAIT_S = 0.5  # the longest a Start waits for the first step to be reported
# A training process still busy this long after it was told to stop (one very long step) is
# ended: with the heartbeat's timeout, a closed tab's training ends within 30 s.
STOP_GRACE_S = 10.0
COMMAND_WAIT_S = 5.0  # the longest pause() and resume() wait for the process to confirm


def configure_torch_threads() -> None:
    """One torch thread per training: several sessions then share the cores instead of fighting."""
    torch.set_num_threads(1)


class LiveRun:
    """One model's training, in training processes the page controls but never waits on."""

    def __init__(
        self,
        spec: RunSpec,
        listener: RunListener | None = None,
        *,
        slots: Slots = TRAINING_SLOTS,
        heartbeat_timeout: float = HEARTBEAT_TIMEOUT_S,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.spec, self.listener = spec, listener
        self.history = History()
        if spec.resume is not None:
            self.history.extend(spec.resume.history)
        self.steps_done = spec.steps_before
        self.snapshots = WeightSnapshots()
        self.state, self.message = RunState.IDLE, ""
        self.device = "GPU" if spec.device.startswith("cuda") else "CPU"
        self.preview: Any = None
        self.peak_memory_mib: float | None = None
        self._latest = spec.resume  # the last whole state reported (None before any)
        self._weights: tuple[int, dict[str, torch.Tensor]] | None = None
        if spec.resume is not None:
            self._weights = (spec.resume.steps_done, spec.resume.weights)
            self.snapshots.record_state(spec.resume.steps_done, spec.resume.weights)
        self._slots, self._heartbeat_timeout = slots, heartbeat_timeout
        self._last_beat = time.monotonic()
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._conn = None  # pipe to the training process while one runs
        self._send_lock = threading.Lock()
        self._queued_command: str | None = None  # pause / resume asked for before the process
        registry.register(self)

    @property
    def active(self) -> bool:
        """True while a training is queued, running or paused."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def config(self) -> TrainConfig:
        """The training knobs of the latest start."""
        return self.spec.train_config

    def start(self, train_config: TrainConfig | None = None, paused: bool = False) -> bool:
        """Train in the background (queued until a slot is free), from the latest state when
        there is one, with `train_config` if given; False (and nothing changes) if active."""
        if self.active:
            return False
        config = train_config or self.spec.train_config
        self.spec = replace(self.spec, train_config=config, resume=self._latest)
        self._stop.clear()
        self._queued_command = None  # before the thread: a pause asked for while queued stays
        self.heartbeat()
        self._set_state(RunState.QUEUED, "")
        self._thread = threading.Thread(
            target=self._work, args=(paused,), name="rnn-training", daemon=True
        )
        self._thread.start()
        STARTED.add(self)
        return True

    def pause(self) -> None:
        """Hold training after the current step."""
        if self.active:
            self._command("pause", RunState.PAUSED)

    def resume(self) -> None:
        """Continue a paused run."""
        if self.active:
            self._command("resume", RunState.TRAINING)

    def stop(self, wait: float = 5.0) -> None:
        """End the training after the current step; its state stays. Safe to call twice."""
        self._stop.set()
        self._send("stop")
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=wait)

    def step_once(self) -> None:
        """One optimizer step now, while no training is going or it is paused (for teaching)."""
        if self.active:
            if self.state == RunState.PAUSED:
                target = self.steps_done + 1
                self._send("step")
                self._wait_for(lambda: self.steps_done >= target or not self.active, 30)
            return
        config = self.spec.train_config
        self.start(replace(config, max_steps=1))
        if self._thread is not None:
            self._thread.join(timeout=60)
        self.spec = replace(self.spec, train_config=config)  # a later Start runs the full run
        if self.state == RunState.FINISHED:
            self._set_state(RunState.STOPPED, f"One step taken: now at step {self.steps_done}.")

    def heartbeat(self) -> None:
        """Called by the page on every refresh; without it the training stops itself."""
        self._last_beat = time.monotonic()

    def wait_for_progress(self, steps_before: int, timeout: float = FIRST_REPORT_WAIT_S) -> bool:
        """Block up to `timeout` seconds until training has passed `steps_before` steps or the
        run has ended; True if it has. A page that redraws right after Start then shows the first
        point in that redraw instead of the next refresh."""
        self._wait_for(lambda: self.steps_done > steps_before or not self.active, timeout)
        return self.steps_done > steps_before

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current training has ended (or `timeout` seconds)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def snapshot(self, max_points: int = 600) -> RunSnapshot:
        """A consistent, bounded view for one refresh of the page."""
        history = self.history.frame(max_points)
        return RunSnapshot(
            state=self.state,
            message=self.message,
            history=history,
            steps_done=self.steps_done,
            steps_per_second=steps_per_second(history),
            preview=self.preview,
            queue_position=self._slots.position(self),
            peak_memory_mib=self.peak_memory_mib,
            device=self.device,
        )

    def current_weights(self) -> tuple[int, dict[str, torch.Tensor]]:
        """(step, CPU copy of the weights) as last reported; the seeded initial weights before
        the training process has reported any."""
        reported = self._weights
        if reported is None:
            model = build_model(self.spec.model_config, self.spec.seed, "cpu")
            return 0, model.state_dict()
        return reported[0], dict(reported[1])

    def latest_state(self) -> TrainingState | None:
        """The last whole state reported (weights, optimizer, history), None before any."""
        return self._latest

    def _set_state(self, state: RunState, message: str) -> None:
        """The one place a run's state changes."""
        with self._changed:
            self.state, self.message = state, message
            self._changed.notify_all()
        if self.listener is not None:
            self._tell(self.listener.state_changed, state, message)

    def _tell(self, method, *args) -> None:
        try:
            method(*args)
        except Exception:  # a listener's failure must not end the training
            log.exception("run listener failed")

    def _wait_for(self, condition, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition() and time.monotonic() < deadline:
                self._changed.wait(timeout=0.05)

    def _command(self, command: str, confirmed: RunState) -> None:
        with self._send_lock:  # the hand-over to a starting process is atomic (see _work)
            if self._conn is None and self.state == RunState.QUEUED:
                self._queued_command = command  # no process yet: it starts in the wanted state
                return
        self._send(command)
        self._wait_for(lambda: self.state == confirmed or not self.active, COMMAND_WAIT_S)

    def _send(self, command: str) -> None:
        with self._send_lock:
            if self._conn is not None:
                with contextlib.suppress(BrokenPipeError, OSError):  # the process has ended
                    send_message(self._conn, (command,))

    def _work(self, paused: bool) -> None:
        if not self._slots.acquire(self, give_up=self._should_end):
            self._set_state(RunState.STOPPED, self._end_reason())
            return
        process = None
        try:
            parent, child = training_context().Pipe()
            with self._send_lock:
                used = self._queued_command  # what the process starts with
            paused = used == "pause" if used else paused
            payload = pickle.dumps((self.spec, paused, training_memory_limit()))
            process = training_context().Process(
                target=train_in_process, args=(child, payload), daemon=True
            )
            process.start()
            child.close()
            with self._send_lock:
                self._conn = parent
                late = self._queued_command  # asked for while the process was being started
            if late is not None and late != used:
                self._send(late)  # a Pause pressed just after Start is not lost
            self._listen(parent, process)
        except Exception as err:  # a failure must reach the page as a sentence, not kill it
            log.exception("training process failed")
            self._set_state(RunState.FAILED, f"Training stopped on an internal error: {err}")
        finally:
            with self._send_lock:
                self._conn = None
            if process is not None:
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
            self._slots.release()

    def _listen(self, conn, process) -> None:
        """Apply the training process's reports until it sends its final state."""
        stop_sent = None
        while True:
            if self._should_end() and stop_sent is None:
                self._send("stop")
                stop_sent = time.monotonic()
            if stop_sent is not None and time.monotonic() - stop_sent > STOP_GRACE_S:
                process.terminate()
                self._back_to_latest()
                self._set_state(
                    RunState.STOPPED,
                    f"{self._end_reason()} Its last step took too long to finish, so it was "
                    f"ended; the state of step {self._kept_step()} is kept.",
                )
                return
            if not conn.poll(0.2):
                # The process may send its last reports and exit between the poll and this
                # check: it ended unexpectedly only if nothing is left to read.
                if not process.is_alive() and not conn.poll(0):
                    return self._died()
                continue
            try:
                message = receive_message(conn)
            except EOFError:
                return self._died()
            if self._apply(*message):
                return

    def _apply(self, kind: str, *payload) -> bool:
        """Take one report; True when it was the last."""
        if kind == "rows":
            self.history.extend(payload[0])
            with self._changed:
                self.steps_done = int(payload[0][-1, 0])
                self._changed.notify_all()
            if self.listener is not None:
                self._tell(self.listener.rows, payload[0])
        elif kind == "weights":
            self._weights = (payload[0], payload[1])
            self.snapshots.record_state(payload[0], payload[1])
        elif kind == "preview":
            self.preview = payload[0]
        elif kind == "device":
            self.device = payload[0]
        elif kind == "state":
            self._set_state(RunState(payload[0]), "")
        elif kind == "memory":
            self.peak_memory_mib = payload[0]
        elif kind in ("checkpoint", "done"):
            self._latest = payload[0]
            if self.listener is not None:
                self._tell(self.listener.checkpoint, payload[0])
            if kind == "done":
                self._finish(payload[0])
                return True
        elif kind == "error":
            self._set_state(RunState.FAILED, payload[0])
            return True
        return False

    def _finish(self, final: TrainingState) -> None:
        self._weights = (final.steps_done, final.weights)
        if final.status in ("finished", "early_stopped", "diverged"):
            self._set_state(ended_state(final.status), final.message)
        else:
            self._set_state(RunState.STOPPED, self._end_reason())

    def _died(self) -> None:
        self._set_state(
            RunState.FAILED, "The training process ended unexpectedly; press Start again."
        )

    def _back_to_latest(self) -> None:
        """After a training process was ended, show what its last whole state holds."""
        latest = self._latest
        if latest is None:
            return
        self.history = History()
        self.history.extend(latest.history)
        self.steps_done = latest.steps_done
        self._weights = (latest.steps_done, latest.weights)

    def _kept_step(self) -> int:
        return self._latest.steps_done if self._latest is not None else 0

    def _should_end(self) -> bool:
        return self._stop.is_set() or self._heartbeat_lost()

    def _heartbeat_lost(self) -> bool:
        return time.monotonic() - self._last_beat > self._heartbeat_timeout

    def _end_reason(self) -> str:
        if self._stop.is_set():
            return f"Stopped at step {self.steps_done}; the trained weights are kept."
        return "Stopped: the page stopped asking for updates (closed tab or lost connection)."
