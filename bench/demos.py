"""The lecture demos' click-to-point times in Chromium, each beside a bare PyTorch loop that
takes the same optimizer steps on tensors of the same shapes (the gradient race: the same call
the page makes), measured right after it on the same machine: their ratio is what the app adds
(server, training processes, live charts, the browser) to the training itself."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import torch
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.helpers import open_page
from tests.browser.test_lecture_hall import training_ended
from tests.browser.test_presets import POINT_TIMEOUT_MS, POINTS
from ui.session.demos import PRESETS

BUSY_MS = 600_000  # a demo's training on a loaded machine: slow is measured, not a failure
RNN_CLASSES = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}


@dataclass(frozen=True)
class Shapes:
    """One training of a demo, as a bare loop sees it."""

    cell: str  # "RNN", "LSTM" or "GRU"
    sizes: tuple[int, ...]  # hidden units per layer
    features: int  # inputs per step
    seq_len: int
    batch: int
    steps: int  # optimizer steps (a run that stops early: the steps it took)
    optimizer: str = "Adam"


# The demos' trainings (ui.session.demos: cells, sizes, windows, batches, steps); the brackets
# text has about ten distinct characters, one-hot; the IMU recording eight channels. The unclipped
# exploding run diverges after about 20 steps; the IMU demo stops early: its steps are read from
# the page.
SETTINGS = {key: preset.settings for key, preset in PRESETS.items()}
DEMO_SHAPES = {
    "lstm-sine": [Shapes("LSTM", (32,), 1, 50, 64, SETTINGS["lstm-sine"]["amount"])],
    "exploding": [
        Shapes("RNN", (32,), 1, 50, 64, SETTINGS["exploding"]["compare.steps"], "SGD"),
        Shapes("RNN", (32,), 1, 50, 64, 20, "SGD"),
    ],
    "adding": [
        Shapes(cell, (32,), 2, 50, 32, SETTINGS["adding"]["compare.steps"])
        for cell in ("LSTM", "RNN")
    ],
    "brackets": [Shapes("LSTM", (32,), 10, 100, 64, SETTINGS["brackets"]["amount"])],
    "imu": [Shapes("LSTM", (64, 32), 8, 20, 64, 0)],
    # the vertical and the IMU in (9 features), 30 steps
    "correct-vqf": [Shapes("LSTM", (32,), 9, 20, 64, SETTINGS["correct-vqf"]["amount"])],
}


def bare_seconds(shapes: Shapes) -> float:
    """Seconds of a bare loop (layers, a linear head, the optimizer, MSE on one fixed batch)
    taking `shapes.steps` steps."""
    torch.manual_seed(0)
    sizes = (shapes.features, *shapes.sizes)
    layers = [
        RNN_CLASSES[shapes.cell](a, b, batch_first=True)
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    head = torch.nn.Linear(sizes[-1], 1)
    params = [p for module in (*layers, head) for p in module.parameters()]
    optimizer = getattr(torch.optim, shapes.optimizer)(params, lr=1e-3)
    x = torch.randn(shapes.batch, shapes.seq_len, shapes.features)  # (B, T, F)
    y = torch.randn(shapes.batch, shapes.seq_len, 1)  # (B, T, 1)
    started = time.perf_counter()
    for _ in range(shapes.steps):
        out = x
        for layer in layers:
            out, _ = layer(out)  # (B, T, H)
        loss = torch.nn.functional.mse_loss(head(out), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


def race_seconds() -> float:
    """Seconds of the vanishing demo's gradient race, called as its page calls it."""
    from rnn_core.analysis.inspect import gradient_race

    settings = PRESETS["vanishing"].settings
    started = time.perf_counter()
    gradient_race(
        hidden_size=settings["grad.hidden"],
        seq_len=settings["grad.length"],
        forget_bias=settings["grad.bias"],
    )
    return time.perf_counter() - started


def click_to_point(page: Page, url: str, key: str) -> tuple[float, int | None]:
    """Seconds from a click on the demo's link on Home (a fresh session) to its point on the
    page, and the steps the banner says it trained (None when it does not say)."""
    open_page(page, url)
    link = page.get_by_test_id("stMain").get_by_role("link", name=PRESETS[key].title)
    expect(link).to_be_visible(timeout=30_000)
    started = time.monotonic()
    link.click()
    training_ended(page, key, BUSY_MS)  # the shared point checks' own waits are shorter
    POINTS[key](page)
    seconds = time.monotonic() - started
    said = page.get_by_text(re.compile(r"^Trained [0-9,]+ steps$"))
    steps = None
    if said.count():
        steps = int(re.sub(r"\D", "", said.first.inner_text()))
    return seconds, steps


def bare_for(key: str, steps: int | None) -> float:
    """The bare loop's seconds for the demo's steps (the race's own for vanishing)."""
    if key == "vanishing":
        return race_seconds()
    runs = DEMO_SHAPES[key]
    if key == "imu" and steps:
        runs = [Shapes(**{**run.__dict__, "steps": steps}) for run in runs]
    return sum(bare_seconds(run) for run in runs)


def demo_rows(browser, url: str) -> list[str]:
    """Markdown rows: per demo, click to point in Chromium, the bare loop's seconds for the same
    steps, and their ratio."""
    rows = []
    for key in PRESETS:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(POINT_TIMEOUT_MS)
        try:
            seconds, steps = click_to_point(page, url, key)
        except (AssertionError, PlaywrightTimeout) as err:  # said; the other demos still run
            rows.append(f"| {PRESETS[key].title} | did not reach its point: {err!s:.80} | | |")
            continue
        finally:
            context.close()
        bare = bare_for(key, steps)
        rows.append(
            f"| {PRESETS[key].title} | {seconds:.1f} s | {bare:.2f} s | {seconds / bare:.1f} |"
        )
    return rows
