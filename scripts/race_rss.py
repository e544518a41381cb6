"""The server's resident memory around gradient races asked for by link: the app served as
`make run` serves it, a Chromium page opening 4 · Gradients through time at each setting in
turn, VmRSS of the server process read after each has drawn (or refused).

    python scripts/race_rss.py   # prints one line per setting, MiB
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.helpers import CONNECTED, wait_idle  # noqa: E402
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, served  # noqa: E402

SETTINGS = [  # (hidden size, sequence length): the default, the largest allowed, refused
    (32, 100),
    (256, 170),
    (43, 1000),
    (256, 1000),
]


def rss_mib(pid: int) -> float:
    """The process's resident memory now, in MiB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    """Open the Gradients page at each setting and print the server's memory after it."""
    with served(Path("/tmp/race-rss-server.log")) as (url, process), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector(CONNECTED, timeout=60_000)
        wait_idle(page)
        print(f"home page: {rss_mib(process.pid):.0f} MiB")
        for hidden, length in SETTINGS:
            query = urlencode({"grad.hidden": hidden, "grad.length": length})
            page.goto(f"{url}/gradients?{query}")
            page.wait_for_selector(CONNECTED, timeout=60_000)
            page.wait_for_selector(
                "[data-testid='stPlotlyChart'], [data-testid='stAlert']", timeout=120_000
            )
            wait_idle(page)
            refused = page.locator("[data-testid='stAlertContentError']").count() > 0
            said = "refused" if refused else "drawn"
            print(f"race {hidden} x {length} ({said}): {rss_mib(process.pid):.0f} MiB")
        browser.close()


if __name__ == "__main__":
    main()
