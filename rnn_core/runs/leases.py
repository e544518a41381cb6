"""Leases: which server trains which run, so that several servers can share one store.

A server that trains runs holds a lease, a row of `rnn_servers` with a heartbeat it renews from
a thread of its own; each active run names the server that trains it (`rnn_runs.server`), and
every write of that run's rows, files and state checks, in its transaction, that the run still
names it. Another server leaves such a run alone while the lease is fresh. A lease not renewed
for STALE_S seconds, or one of a process of this machine that is gone, means its server died:
its runs are then interrupted and named to nobody, so a late write from it is refused, and a
run never has two writers.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from pathlib import Path

from rnn_core.live.states import RunState
from rnn_core.runs.database import Database

log = logging.getLogger(__name__)

ACTIVE = tuple(state.value for state in RunState if state.active)  # a server drives the run
# One small UPDATE of one row every 5 s: cheap for SQLite and PostgreSQL alike, and well inside
# STALE_S, so a renewal delayed by a busy machine or a slow database does not end a lease.
RENEW_S = 5.0
# Six renewals missed: no live server stalls that long, and a killed one on another machine is
# known dead within half a minute (one on this machine at once: its process is gone).
STALE_S = 30.0
# A server silent for a day has its row removed (its runs, naming no server, are interrupted
# all the same): the table keeps about one row per server alive, not one per restart ever.
FORGOTTEN_S = 86_400.0
ELSEWHERE = "This run is training on another server ({where}); open it there or wait for it to end."
LOST = (
    "Another server took this run over (this server's lease on it ended), so what it trains "
    "here is no longer saved: open the run on the Runs page to see what was kept."
)


class RunElsewhere(ValueError):
    """The run is being trained by another live server; the message says so."""


class LeaseLost(RuntimeError):
    """This server no longer trains the run: its writes are refused."""


def host_key() -> str:
    """This machine: its name and its boot (processes of another boot are all gone)."""
    boot = Path("/proc/sys/kernel/random/boot_id")
    booted = boot.read_text().strip() if boot.is_file() else ""
    return f"{socket.gethostname()}/{booted}"


def process_alive(pid: int) -> bool:
    """True while a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


class Lease:
    """This server's lease in the store: taken when it first trains a run, then renewed every
    `renew_s` seconds by a daemon thread until `release`."""

    def __init__(self, database: Database, renew_s: float = RENEW_S) -> None:
        self.database, self.renew_s = database, renew_s
        self.id = uuid.uuid4().hex
        self.host, self.pid = host_key(), os.getpid()
        self.label = f"{socket.gethostname()}, process {self.pid}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def hold(self) -> None:
        """Take the lease now (once) and keep renewing it."""
        with self._lock:
            if self._thread is not None:
                return
            self.renew()
            with self.database.transaction() as tx:  # rows of servers long gone
                tx(f"DELETE FROM rnn_servers WHERE heartbeat <= {tx.now} - ?", (FORGOTTEN_S,))
            self._thread = threading.Thread(target=self._renewing, name="run-lease", daemon=True)
            self._thread.start()

    def renew(self) -> None:
        """Write this server's heartbeat (its row made again if a server pruned it)."""
        now = self.database.now
        with self.database.transaction() as tx:
            tx(
                "INSERT INTO rnn_servers (id, host, pid, label, started, heartbeat) VALUES "
                f"(?, ?, ?, ?, {now}, {now}) ON CONFLICT (id) DO UPDATE SET heartbeat = {now}",
                (self.id, self.host, self.pid, self.label),
            )

    def _renewing(self) -> None:
        while not self._stop.wait(self.renew_s):
            try:
                self.renew()
            except Exception:  # a database away for a while: try again at the next period
                log.exception("could not renew the run store lease")

    def release(self) -> None:
        """Stop renewing and remove the lease: runs still named to it are free to interrupt."""
        self._stop.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.join(timeout=10.0)
        with self.database.transaction() as tx:
            tx("DELETE FROM rnn_servers WHERE id = ?", (self.id,))


def dead_servers(tx, stale_s: float) -> list[str]:
    """The ids of servers whose lease is older than `stale_s`, or whose process on this
    machine is gone."""
    rows = tx(f"SELECT id, host, pid, heartbeat <= {tx.now} - ? FROM rnn_servers", (stale_s,))
    here = host_key()
    return [
        server
        for server, host, pid, stale in rows
        if stale or (host == here and not process_alive(int(pid)))
    ]


def trainer_elsewhere(tx, run_id: str, me: str) -> str | None:
    """The label of the live server (not `me`) that trains the run, None when none does."""
    marks = ", ".join("?" * len(ACTIVE))
    rows = tx(
        f"SELECT s.id, s.label, s.host, s.pid, s.heartbeat > {tx.now} - ? FROM rnn_runs r "
        f"JOIN rnn_servers s ON s.id = r.server WHERE r.id = ? AND r.state IN ({marks})",
        (STALE_S, run_id, *ACTIVE),
    )
    for server, label, host, pid, fresh in rows:
        gone = host == host_key() and not process_alive(int(pid))
        if server != me and fresh and not gone:
            return label
    return None


class LeasedRuns:
    """RunStore's part that knows which server trains which run (needs `database`, `lease`)."""

    def _owned(self, tx, run_id: str) -> None:
        """LeaseLost unless this server trains the run; its row stays locked till `tx` ends, so
        no other server takes it over halfway through a write."""
        mine = tx(
            "UPDATE rnn_runs SET updated = ? WHERE id = ? AND server = ? RETURNING id",
            (time.time(), run_id, self.lease.id),
        )
        if not mine:
            raise LeaseLost(LOST)

    def claim(self, run_id: str) -> None:
        """Make this server the one that trains the run (to resume it); RunElsewhere (a
        sentence) while another live server trains it."""
        self.lease.hold()
        with self.database.transaction() as tx:
            tx("UPDATE rnn_runs SET updated = updated WHERE id = ?", (run_id,))  # locks the row
            label = trainer_elsewhere(tx, run_id, self.lease.id)
            if label is not None:
                raise RunElsewhere(ELSEWHERE.format(where=label))
            tx("UPDATE rnn_runs SET server = ? WHERE id = ?", (self.lease.id, run_id))

    def elsewhere(self, run_id: str) -> str | None:
        """The sentence saying that another live server trains the run, None when none does."""
        with self.database.transaction(write=False) as tx:
            label = trainer_elsewhere(tx, run_id, self.lease.id)
        return None if label is None else ELSEWHERE.format(where=label)

    def interrupt_stale(self, older_than: float, message: str) -> int:
        """Runs still marked active whose server died (its lease not renewed for `older_than`
        seconds, or its process on this machine gone; a run of a store from before leases:
        untouched that long) become interrupted and belong to no server; returns how many."""
        with self.database.transaction(write=False) as tx:  # most often none: no write then
            where, params = _dead_runs(tx, older_than)
            if not tx(f"SELECT id FROM rnn_runs WHERE {where}", params):
                return 0
        with self.database.transaction() as tx:
            where, params = _dead_runs(tx, older_than)
            rows = tx(
                "UPDATE rnn_runs SET state = 'interrupted', message = ?, server = NULL "
                f"WHERE {where} RETURNING id",
                (message, *params),
            )
            tx(f"DELETE FROM rnn_servers WHERE heartbeat <= {tx.now} - ?", (FORGOTTEN_S,))
        return len(rows)


def _dead_runs(tx, older_than: float) -> tuple[str, tuple]:
    """The condition (SQL, parameters) of active runs whose server died."""
    dead = dead_servers(tx, older_than)
    marks, dead_marks = ", ".join("?" * len(ACTIVE)), ", ".join("?" * len(dead)) or "NULL"
    where = (
        f"state IN ({marks}) AND (server IN ({dead_marks}) OR (server IS NULL AND updated <= ?)"
        " OR server NOT IN (SELECT id FROM rnn_servers))"
    )
    return where, (*ACTIVE, *dead, time.time() - older_than)
