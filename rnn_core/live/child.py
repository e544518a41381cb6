"""The one training loop: a Trainer built from a RunSpec, driven by commands, reporting as it goes.

It runs in a training process of its own (CPU and CUDA alike), off the web server's interpreter
lock, or in the calling process (`train_to_end`, what a Ray task runs):

    page process (LiveRun)                        training process (train_in_process)
        ("pause",) ("resume",) ("step",) ("stop",)   ->
        <-  ("device", label)  ("rows", rows)  ("preview", obj)  ("weights", step, state)
        <-  ("checkpoint", TrainingState)  ("state", "training" | "paused")  ("stepped", steps)
        <-  ("memory", MiB)  ("done", TrainingState)  ("error", sentence)

Messages travel as plain pickles (`send_message` / `receive_message`), not through torch's
multiprocessing reducers: those move tensors through shared memory, which small or missing
/dev/shm (containers, sandboxes) makes fail.
"""

from __future__ import annotations

import os
import pickle
import time
import traceback
from collections.abc import Callable
from typing import Any, Protocol

import torch

from rnn_core.live.limits import limit_memory, out_of_memory, out_of_memory_sentence
from rnn_core.live.memory_peak import peak_since, start_peak
from rnn_core.live.spec import RunSpec, data_on
from rnn_core.models import SequenceModel, build_model, device_label
from rnn_core.niceness import TRAINING_NICENESS
from rnn_core.training.state import TrainingState, cpu_copy
from rnn_core.training.trainer import Trainer

FLUSH_INTERVAL_S = 0.05  # history rows go to the page at most this often
PREVIEW_INTERVAL_S = 1.0  # previews and the latest weights
CHECKPOINT_INTERVAL_S = 5.0  # the whole state (weights, optimizer, history), for a store
SNAPSHOT_EVERY = 25  # steps between weight snapshots (the page thins them as they grow)
# Trainings yield the CPU to the web server (and so to every page) whenever it needs it; they
# still use every cycle the server leaves idle (rnn_core.niceness).


def send_message(conn, message: tuple) -> None:
    """Send a tuple as a plain pickle (tensors serialised in the message, no shared memory)."""
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def receive_message(conn) -> tuple:
    """The next tuple sent with `send_message`."""
    return pickle.loads(conn.recv_bytes())


class Channel(Protocol):
    """How the loop hears commands and sends reports."""

    def send(self, message: tuple) -> None: ...

    def command(self, wait: float) -> str | None: ...


class PipeChannel:
    """The two ends of a pipe between the page's process and a training process."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def send(self, message: tuple) -> None:
        """Report to the page."""
        send_message(self.conn, message)

    def command(self, wait: float) -> str | None:
        """The page's next command, waiting up to `wait` seconds; None when there is none."""
        return receive_message(self.conn)[0] if self.conn.poll(wait) else None


class LocalChannel:
    """Reports to a function in this process; the only command is stop, when asked."""

    def __init__(self, report: Callable[[tuple], None], should_stop: Callable[[], bool]):
        self.report, self.should_stop = report, should_stop

    def send(self, message: tuple) -> None:
        """Hand the report to the caller."""
        self.report(message)

    def command(self, wait: float) -> str | None:
        """ "stop" once `should_stop()` says so."""
        return "stop" if self.should_stop() else None


def trainer_for(spec: RunSpec) -> Trainer:
    """The spec's trainer on its device: fresh seeded weights, or the state it resumes."""
    data = data_on(spec.data, spec.device)
    if spec.resume is not None:
        trainer = Trainer.from_state(spec.resume, data, spec.train_config, spec.device)
    else:
        trainer = Trainer(
            build_model(spec.model_config, spec.seed, spec.device), data, spec.train_config
        )
    trainer.begin()
    return trainer


def preview_function(spec: RunSpec, data) -> Callable[[torch.nn.Module], Any] | None:
    """What the page previews while the run trains, computed here beside the training."""
    if not spec.preview:
        return None
    from rnn_core.analysis.predict import preview_for
    from rnn_core.datasets.imu.prepare import ImuMeta
    from rnn_core.datasets.imu.recordings import SetMeta
    from rnn_core.evaluation.imu import imu_preview

    if isinstance(data.meta, ImuMeta):
        return lambda model: imu_preview(model, data)
    if isinstance(data.meta, SetMeta):  # several recordings: scored per recording on Evaluate
        return None
    return preview_for(data)


class TrainingLoop:
    """One run of a trainer: steps, commands and reports."""

    def __init__(self, channel: Channel, trainer: Trainer, spec: RunSpec) -> None:
        self.channel, self.trainer, self.spec = channel, trainer, spec
        self.preview = preview_function(spec, trainer.data)
        self.sent_rows = len(trainer.history)
        self.next_flush = self.next_preview = 0.0
        self.next_checkpoint = time.monotonic() + CHECKPOINT_INTERVAL_S

    def state(self) -> TrainingState:
        """The trainer's whole state now."""
        return self.trainer.training_state(self.spec.seed)

    def step(self) -> None:
        """One optimizer step, with a weight snapshot when one is due."""
        self.trainer.step()
        steps = self.trainer.steps_done
        if steps % SNAPSHOT_EVERY == 0:
            self.flush()
            self.channel.send(("weights", steps, cpu_copy(self.trainer.model.state_dict())))

    def flush(self, force_preview: bool = False) -> None:
        """New history rows; the preview and the weights when due."""
        now = time.monotonic()
        if len(self.trainer.history) > self.sent_rows:
            self.channel.send(("rows", self.trainer.history.rows_since(self.sent_rows)))
            self.sent_rows = len(self.trainer.history)
        if force_preview or now >= self.next_preview:
            if self.preview is not None:
                self.channel.send(("preview", self.preview(self.trainer.model)))
            weights = cpu_copy(self.trainer.model.state_dict())
            self.channel.send(("weights", self.trainer.steps_done, weights))
            self.next_preview = now + PREVIEW_INTERVAL_S
        if now >= self.next_checkpoint:
            self.channel.send(("checkpoint", self.state()))
            self.next_checkpoint = now + CHECKPOINT_INTERVAL_S
        self.next_flush = now + FLUSH_INTERVAL_S

    def handle(self, command: str, paused: bool) -> tuple[bool, bool]:
        """Apply one command; returns (paused, stop)."""
        if command == "stop":
            return paused, True
        if command == "step":
            self.step()
            self.flush(force_preview=True)
            self.channel.send(("stepped", self.trainer.steps_done))
        if command in ("pause", "resume"):
            paused = command == "pause"
            if paused:
                self.flush(force_preview=True)  # the page sees every step taken before the pause
            self.channel.send(("state", "paused" if paused else "training"))
        return paused, False

    def run(self, paused: bool = False) -> TrainingState:
        """Train until done or told to stop; the final state."""
        self.channel.send(("device", device_label(self.trainer.model)))
        self.flush(force_preview=True)  # the initial weights and preview
        self.channel.send(("state", "paused" if paused else "training"))
        while not self.trainer.done:
            command = self.channel.command(0.2 if paused else 0)
            if command is not None:
                paused, stop = self.handle(command, paused)
                if stop:
                    break
                continue
            if paused:
                continue
            self.step()
            if time.monotonic() >= self.next_flush:
                self.flush()
        self.flush(force_preview=True)
        return self.state()


def train_to_end(
    spec: RunSpec,
    should_stop: Callable[[], bool] = lambda: False,
    report: Callable[[tuple], None] = lambda message: None,
) -> TrainingState:
    """Run `spec` to its end in this process, through the same loop as a training process;
    `report` gets the same messages a page would."""
    trainer = trainer_for(spec)
    return TrainingLoop(LocalChannel(report, should_stop), trainer, spec).run()


def trained_model(spec: RunSpec) -> SequenceModel:
    """The model `spec` describes, trained to its end by `train_to_end`, in eval mode."""
    state = train_to_end(spec)
    model = build_model(spec.model_config, spec.seed)
    model.load_state_dict(state.weights)
    return model.eval()


def train_in_process(conn, payload: bytes) -> None:
    """Entry point of a training process: unpickle (spec, start paused, memory limit in bytes),
    train until done or told to stop, and send the final state. On the CPU the process may add
    at most the memory limit: past it the run ends with a sentence, and nothing else is touched.
    CUDA is initialised here, never in the server."""
    torch.set_num_threads(1)
    os.nice(TRAINING_NICENESS)
    spec, paused, limit = pickle.loads(payload)
    channel = PipeChannel(conn)
    memory = start_peak(spec.device)
    if torch.device(spec.device).type == "cpu":
        limit_memory(limit)  # CUDA reserves address space far past any limit: not there
    try:
        final = TrainingLoop(channel, trainer_for(spec), spec).run(paused)
        channel.send(("memory", peak_since(memory, spec.device)))
        channel.send(("done", final))
    except Exception as err:  # the page shows a sentence; the details go to the server log
        if out_of_memory(err):
            channel.send(("error", out_of_memory_sentence(limit)))
        else:
            traceback.print_exc()
            channel.send(("error", f"Training stopped on an internal error: {err}"))
    finally:
        conn.close()
