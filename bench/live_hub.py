"""The phone hub and a simulated phone in a process of their own, driven by `bench.live`: the app's
hub runs in the server's process while training runs in a training process, so the training loop
the bench measures beside it shares the machine with it, not the interpreter.

    python -m bench.live_hub     one JSON line out per line in; "ready" first
        on    connect the hub to the phone, wait for its rows: the rows made so far
        cpu   [monotonic now, {"client", "worker": their threads' CPU s, "process": all of it}]
        off   disconnect the hub: null
        stop  disconnect and end
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from rnn_core.phone.hub import PhoneHub
from tests.phones.phyphox_sim import PhyphoxSimulator
from tests.phones.recording import xio_fusion

HUB_THREADS = {"client": "phyphox-client", "worker": "phone-hub"}  # the live loop's threads
SETTLE_S = 0.2  # after the first rows: the first full read and the filters' start behind it


def thread_cpu_s(native_id: int) -> float:
    """CPU seconds of this process's thread `native_id` so far (0 once it has ended)."""
    try:
        return int(Path(f"/proc/self/task/{native_id}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError):
        return 0.0


def _connect(hub: PhoneHub, phone: PhyphoxSimulator) -> tuple[int, dict[str, int]]:
    """Connect; (rows made, the live loop's thread ids) once rows flow (0 rows: none in 30 s)."""
    hub.connect_phyphox(phone.url)  # reads the phone's history in full, then only what is new
    deadline = time.monotonic() + 30.0
    while not hub.stream.status().rows_emitted and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(SETTLE_S)
    named = {thread.name: thread.native_id for thread in threading.enumerate()}
    return hub.stream.status().rows_emitted, {k: named.get(n, -1) for k, n in HUB_THREADS.items()}


def serve(requests=sys.stdin, out=sys.stdout) -> None:
    """Answer `requests` (lines) on `out` until "stop" or their end."""
    hub, ids = PhoneHub(), {}
    with PhyphoxSimulator(xio_fusion()) as phone:

        def say(answer) -> None:
            out.write(json.dumps(answer) + "\n")
            out.flush()

        say("ready")
        for line in requests:
            request = line.strip()
            if request == "on":
                rows, ids = _connect(hub, phone)
                say(rows)
            elif request == "cpu":
                cpu = {name: thread_cpu_s(tid) for name, tid in ids.items()}
                say([time.monotonic(), {**cpu, "process": time.process_time()}])
            elif request == "off":
                hub.disconnect()
                say(None)
            elif request == "stop":
                break
        hub.disconnect()


if __name__ == "__main__":
    serve()
