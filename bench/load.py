"""The load scenario of `tests/browser/test_sessions.py`, timed twice on fresh servers: with
nobody training (the bare baseline) and with trainings running, so that the interaction p95 is
read as a ratio measured in one run, beside its goal."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.load import SESSIONS, TRAINING, p95, ten_sessions_against
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, served

P95_GOAL_S = 1.0  # a page interaction, timed until its result is drawn, with trainings running


def load_rows(log_dir: Path) -> str:
    """Markdown rows: interaction and health p95 with 0 and with TRAINING trainings."""
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for training in (0, TRAINING):
                with served(log_dir / f"bench-load-{training}.log") as (url, server):
                    found[training] = ten_sessions_against(url, server, browser, SESSIONS, training)
        finally:
            browser.close()
    bare, busy = found[0], found[TRAINING]
    ratio = p95(busy.interactions) / p95(bare.interactions)
    held = "held" if p95(busy.interactions) <= P95_GOAL_S else "missed"
    return (
        f"| {SESSIONS} sessions | interaction p95 | health p95 |\n|---|---|---|\n"
        f"| nobody training (baseline) | {p95(bare.interactions):.2f} s | "
        f"{p95(bare.health):.3f} s |\n"
        f"| {TRAINING} training | {p95(busy.interactions):.2f} s ({ratio:.2f} x the baseline; "
        f"goal {P95_GOAL_S:g} s: {held}) | {p95(busy.health):.3f} s |"
    )
