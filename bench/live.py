"""Live from a phone: what following a phone costs, each against a bare baseline in the same run.

    sample to screen   the Live page's newest sample against a hub's own (bench.live_screen)
    the live loop      CPU of the phyphox client's and the hub worker's threads per wall second,
                       and a bare training loop with the hub live beside it against without it
    forecasts          LiveForecaster.step against the bare module on the same input, same model

The hub runs in a process of its own with the simulated phone, as the app's hub runs in the
server's process while training runs in a training process: the training loop here shares the
machine with it, not the interpreter. Hub on and hub off alternate in bursts (the hub connected
afresh each time) so that the machine's drift cancels in the ratio.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from bench import loops
from bench.live_hub import HUB_THREADS
from bench.live_screen import measure_screen
from ui.session.live_chart import PLOTLY_CHART

ROOT = Path(__file__).resolve().parents[1]

BURST_S = 0.5  # seconds of training with the hub on, then as long with it off
T = 20  # the forecaster's window, as the IMU preset's


class HubProcess:
    """`python -m bench.live_hub` started, asked one line at a time, stopped on exit."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.live_hub"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __enter__(self) -> HubProcess:
        if self.answer(timeout=120) != "ready":
            raise RuntimeError("the hub's process did not start")
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.process.stdin.write("stop\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()

    def answer(self, timeout: float = 60):
        """The next answer (JSON); raises if none comes in `timeout` s or the process ended."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            ended = self.process.poll()
            raise RuntimeError(f"the hub's process gave no answer (exit code {ended})")
        return json.loads(line)

    def ask(self, request: str):
        """Send `request` (on, cpu, off) and wait for its answer."""
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        return self.answer()


def _burst(step: Callable[[], None], seconds: float) -> tuple[int, float]:
    """(steps, seconds) of `step` run for about `seconds`."""
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        step()
        count += 1
    return count, time.perf_counter() - started


def hub_cost(
    seconds: float, started: HubProcess | None = None, cell: str = "lstm", hidden: int = 32
) -> dict[str, float]:
    """The bare loop's steps/s with the hub live beside it and without ("beside", "alone"),
    alternating bursts for about `seconds` each, and, over the bursts with the hub on, the CPU
    seconds per wall second of its client and worker threads ("client", "worker") and of the
    rest of its process, chiefly the simulated phone's server ("phone"). `started`: the hub's
    process if already started (its imports take a few seconds), stopped here."""
    step = loops.bare_step(cell, hidden)
    for _ in range(5):  # warm-up
        step()
    with started or HubProcess() as hub:
        steps, spent = {"beside": 0, "alone": 0}, {"beside": 0.0, "alone": 0.0}
        cpu, wall = dict.fromkeys([*HUB_THREADS, "process"], 0.0), 0.0
        while min(spent.values()) < seconds:
            if not hub.ask("on"):
                raise RuntimeError("the hub made no rows from the simulated phone in 30 s")
            t0, cpu0 = hub.ask("cpu")
            count, took = _burst(step, BURST_S)
            t1, cpu1 = hub.ask("cpu")
            steps["beside"], spent["beside"] = steps["beside"] + count, spent["beside"] + took
            wall += t1 - t0
            cpu = {name: cpu[name] + cpu1[name] - cpu0[name] for name in cpu}
            hub.ask("off")
            count, took = _burst(step, BURST_S)
            steps["alone"], spent["alone"] = steps["alone"] + count, spent["alone"] + took
    share = {name: cpu[name] / wall for name in HUB_THREADS}
    phone = cpu["process"] / wall - sum(share.values())
    return {**{k: steps[k] / spent[k] for k in steps}, **share, "phone": phone}


def tiny_imu_forecasters(train_steps: int = 20):
    """(carried and window LiveForecasters, the same model, the rows as the hub gives them, the
    model's standardised inputs (N, F)): a small LSTM trained a few Adam steps on the simulated
    phyphox recording (`tests/phones/model.py`, as the forecaster's tests train one)."""
    from rnn_core.phone.live_model import ANGLES, LiveForecaster
    from tests.phones.model import small_imu_model

    model, data, table = small_imu_model(train_steps, T)
    inputs = list(data.meta.task.inputs)
    si = table.values[inputs].to_numpy(dtype=np.float64)  # (N, F) SI: roll, pitch in radians
    rows = [  # as the live filters give them: roll and pitch in degrees
        {n: float(np.degrees(v) if n in ANGLES else v) for n, v in zip(inputs, r, strict=True)}
        for r in si
    ]
    x = data.meta.input_standardizer.transform(si).astype(np.float32)  # (N, F)
    made = {
        mode: LiveForecaster(model, data.standardizer, data.meta, T, mode=mode)
        for mode in ("carried", "window")
    }
    return made, model, rows, torch.from_numpy(x)


def forecast_rates(seconds: float, prepared=None) -> dict[str, dict[str, float]]:
    """Forecasts per second, per mode: LiveForecaster.step ("forecaster") against the bare
    module ("bare") on the same rows, interleaved for about `seconds` each. Bare, carried: the
    model on one step (1, 1, F) with the carried hidden state; bare, window: the model on the
    last T rows (1, T, F) from a zero state; both under one torch.no_grad(). `prepared`: what
    tiny_imu_forecasters() gives, if already made."""
    made, model, rows, x = prepared or tiny_imu_forecasters()  # x (N, F)
    n = len(rows)
    state = {"row": 0, "bare": 0, "hidden": None}

    def forecaster(mode: str) -> Callable[[], None]:
        def step() -> None:
            made[mode].step(rows[state["row"]])
            state["row"] = (state["row"] + 1) % n

        return step

    def bare_carried() -> None:
        i = state["bare"] = (state["bare"] + 1) % n
        _, state["hidden"] = model(x[i][None, None], state["hidden"])  # (1, 1, F) in

    def bare_window() -> None:
        i = state["bare"] = (state["bare"] + 1) % (n - T)
        model(x[i : i + T][None])  # (1, T, F) in, (1, K) out

    rates = {}
    with torch.no_grad():
        for mode, bare in (("carried", bare_carried), ("window", bare_window)):
            rates[mode] = loops.interleaved_rates(
                {"forecaster": forecaster(mode), "bare": bare}, seconds
            )
    return rates


def _row(what: str, measured: str, baseline: str, ratio: float, digits: int = 2) -> str:
    """One markdown row: what | measured | baseline | ratio."""
    return f"| {what} | {measured} | {baseline} | {ratio:.{digits}f} |"


def live_rows(seconds: float, log_dir: Path, baseline_charts: bool = False) -> str:
    """The markdown table of the live rows: each measurement about `seconds` long; with
    `baseline_charts`, the screen measured a second time with the page's charts drawn by
    st.plotly_chart in its fragment (the baseline of the chart updated in place)."""
    screen = measure_screen(seconds, log_dir)
    plain = measure_screen(seconds, log_dir, PLOTLY_CHART) if baseline_charts else None
    started = HubProcess()  # its imports while the forecasters are trained, before either is timed
    prepared = tiny_imu_forecasters()
    cost = hub_cost(seconds, started)
    rates = forecast_rates(seconds / 2, prepared)
    s50, s95 = np.percentile(screen.screen_s * 1e3, [50, 95])
    h50, h95 = np.percentile(screen.hub_s * 1e3, [50, 95])
    loop, server, phone = cost["client"] + cost["worker"], screen.server_cpu, cost["phone"]
    browser = screen.browser_cpu
    beside, alone = cost["beside"], cost["alone"]
    carried, window = rates["carried"], rates["window"]
    reads = (
        f"{len(screen.screen_s)} reads, {screen.misses} missed, {screen.read_ms:.0f} ms each; "
        f"the chart redrawn {screen.redraws_per_s:.1f} times a second, of 5"
    )
    rows = [
        "| live from a phone (simulated phyphox, real time) | measured | baseline | ratio |",
        "|---|---|---|---|",
        _row(
            f"sample to screen p50: phone clock minus the newest sample on the Live page's "
            f"chart ({reads})",
            f"{s50:.0f} ms",
            f"{h50:.0f} ms (a hub in the bench, read just after)",
            s50 / h50,
            1,
        ),
        _row("sample to screen p95", f"{s95:.0f} ms", f"{h95:.0f} ms", s95 / h95, 1),
        _row(
            "the server process's CPU, Live page open and redrawing",
            f"{server * 1e3:.0f} ms/s",
            "1000 ms/s (one core)",
            server,
            3,
        ),
        _row(
            "Chromium's CPU (all its processes), Live page open and redrawing",
            f"{browser * 1e3:.0f} ms/s",
            "1000 ms/s (one core)",
            browser,
            3,
        ),
        _row(
            f"the live loop's CPU: phyphox client {cost['client'] * 1e3:.1f} + hub worker "
            f"{cost['worker'] * 1e3:.1f}",
            f"{loop * 1e3:.1f} ms/s",
            "1000 ms/s (one core)",
            loop,
            3,
        ),
        _row(
            "the simulated phone's server (the phone's work, here on this machine)",
            f"{phone * 1e3:.1f} ms/s",
            "1000 ms/s",
            phone,
            3,
        ),
        _row(
            "bare training loop, LSTM 32, the hub live beside it",
            f"{beside:.0f} steps/s",
            f"{alone:.0f} steps/s (hub off, bursts between)",
            beside / alone,
        ),
        _row(
            "forecasts/s, LiveForecaster.step carried (LSTM 16, one row)",
            f"{carried['forecaster']:.0f}",
            f"{carried['bare']:.0f} (the module on (1, 1, 8), hidden carried, no_grad)",
            carried["forecaster"] / carried["bare"],
        ),
        _row(
            f"forecasts/s, LiveForecaster.step window (T = {T})",
            f"{window['forecaster']:.0f}",
            f"{window['bare']:.0f} (the module on (1, {T}, 8), no_grad)",
            window["forecaster"] / window["bare"],
        ),
    ]
    if plain is not None:
        p50 = np.percentile(plain.screen_s * 1e3, 50)
        rows += [
            _row(
                "redraws of the channels chart a second (asked: 5), updated in place",
                f"{screen.redraws_per_s:.1f}",
                f"{plain.redraws_per_s:.1f} (st.plotly_chart in the fragment, a server of its own)",
                screen.redraws_per_s / plain.redraws_per_s,
                2,
            ),
            _row(
                "sample to screen p50, updated in place",
                f"{s50:.0f} ms",
                f"{p50:.0f} ms (st.plotly_chart in the fragment)",
                s50 / p50,
                2,
            ),
            _row(
                "Chromium's CPU, updated in place",
                f"{browser * 1e3:.0f} ms/s",
                f"{plain.browser_cpu * 1e3:.0f} ms/s (st.plotly_chart in the fragment)",
                browser / plain.browser_cpu,
                2,
            ),
        ]
    return "\n".join(rows)
