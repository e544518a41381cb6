"""RunStore: the runs of every owner, their history, state and weight files, over SQLite or
PostgreSQL alike (`rnn_core.runs.database`)."""

from __future__ import annotations

import json
import math
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rnn_core.runs import files
from rnn_core.runs.blobs import KeptData
from rnn_core.runs.database import Database, open_postgres, open_sqlite
from rnn_core.runs.leases import (
    ACTIVE,
    ELSEWHERE,
    Lease,
    LeasedRuns,
    RunElsewhere,
    trainer_elsewhere,
)
from rnn_core.runs.location import files_folder, is_postgres
from rnn_core.runs.sharing import SharedLinks
from rnn_core.vocabulary import HISTORY_COLUMNS as COLUMNS  # training.history's, torch-free

ROW_BYTES = 64  # what one history row costs in the database, roughly, for the quota
SNAPSHOTS_KEPT = 20  # weight snapshots per run; older ones are thinned to every other
RUN_FIELDS = (
    "id, owner, name, source, cell, parameters, seed, settings, state, message, created, "
    "updated, steps, best_val, sweep, share_token, checkpoint_step, file_bytes, server"
)


@dataclass(frozen=True)
class RunRecord:
    """One stored run as the Runs page lists it."""

    id: str
    owner: str  # the owner's key (a hash of the browser's secret), never the secret itself
    name: str
    source: str  # the data, in words: "Sine waves", "Text: nested brackets", ...
    cell: str  # LSTM, GRU, RNN, RNN relu
    parameters: int
    seed: int
    settings: dict  # everything needed to run it again: the link's settings, model, training
    state: str  # a RunState value: training, paused, finished, stopped, interrupted, ...
    message: str
    created: float  # seconds since the epoch
    updated: float
    steps: int
    best_val: float | None
    sweep: str | None  # the sweep or seed group a run belongs to, if any
    share_token: str | None
    checkpoint_step: int | None  # the step of the last saved weights, None before any
    file_bytes: int
    server: str | None = None  # the id of the server that trains it (or last did)

    @property
    def active(self) -> bool:
        """Queued, training or paused: some server drives it (or did, until it was killed)."""
        return self.state in ACTIVE


@dataclass(frozen=True)
class Usage:
    """What an owner's runs take: their number and their megabytes (files and history)."""

    runs: int
    megabytes: float


def _number(value: float) -> float | None:
    """A finite float, or None (NULL) for NaN and infinities."""
    return float(value) if math.isfinite(value) else None


class RunStore(LeasedRuns, SharedLinks, KeptData):
    """Every run, kept as it goes; the only writer of the store's database and files."""

    def __init__(self, database: Database, files_root: Path, location: str) -> None:
        self.database, self.files_root, self.location = database, files_root, location
        self.lease = Lease(database)  # this server's: held from its first active run on

    def create_run(
        self,
        owner: str,
        *,
        name: str,
        source: str,
        cell: str,
        parameters: int,
        seed: int,
        settings: dict,
        sweep: str | None = None,
        run_id: str | None = None,
        state: str = "queued",
    ) -> RunRecord:
        """Record a new run (`run_id`: a live run's id, else a new one), trained by this
        server, and return it."""
        run_id = run_id or uuid.uuid4().hex
        if state in ACTIVE:
            self.lease.hold()
        now = time.time()
        values = (run_id, owner, name, source, cell, int(parameters), int(seed))
        values += (json.dumps(settings), state, "", now, now, 0, None, sweep, None, None, 0)
        values += (self.lease.id,)
        marks = ", ".join("?" * len(values))
        with self.database.transaction() as tx:
            tx(f"INSERT INTO rnn_runs ({RUN_FIELDS}) VALUES ({marks})", values)
        return self.get(run_id)

    def append_rows(self, run_id: str, rows: np.ndarray) -> None:
        """Add history rows (n, len(COLUMNS)) in one transaction; a step seen before (a run
        resumed from an earlier checkpoint) is replaced."""
        if len(rows) == 0:
            return
        records = [(run_id, int(row[0]), *(_number(v) for v in row[1:])) for row in rows]
        val = rows[:, COLUMNS.index("val_loss")]
        best = _number(np.nanmin(val)) if np.isfinite(val).any() else None
        with self.database.transaction() as tx:
            self._owned(tx, run_id)
            tx.many(
                "INSERT INTO rnn_history VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, step) "
                "DO UPDATE SET loss = excluded.loss, val_loss = excluded.val_loss, "
                "grad_norm = excluded.grad_norm, lr = excluded.lr, seconds = excluded.seconds",
                records,
            )
            tx(
                "UPDATE rnn_runs SET steps = ?, updated = ?, best_val = CASE WHEN best_val IS NULL"
                " OR best_val > ? THEN ? ELSE best_val END WHERE id = ?",
                (records[-1][1], time.time(), best, best, run_id),
            )

    def set_state(self, run_id: str, state: str, message: str = "") -> None:
        """The run's state (a RunState value) and its sentence, now."""
        with self.database.transaction() as tx:
            self._owned(tx, run_id)
            tx("UPDATE rnn_runs SET state = ?, message = ? WHERE id = ?", (state, message, run_id))

    def update_settings(self, run_id: str, changes: dict) -> None:
        """Replace some of the run's settings (a continued run's new training knobs), keeping
        the others; LeaseLost unless this server trains it."""
        with self.database.transaction() as tx:
            self._owned(tx, run_id)
            (text,) = tx("SELECT settings FROM rnn_runs WHERE id = ?", (run_id,))[0]
            settings = {**json.loads(text), **changes}
            tx("UPDATE rnn_runs SET settings = ? WHERE id = ?", (json.dumps(settings), run_id))

    def save_state(
        self, run_id: str, step: int, state: bytes, weights: bytes | None = None
    ) -> None:
        """The run's latest training state (weights, optimizer, ...) as a file written
        atomically, and `weights` as a snapshot of `step` when given."""
        folder = files.run_folder(self.files_root, run_id)
        with self.database.transaction() as tx:
            self._owned(tx, run_id)  # before any file: another server's files stay as they are
            size = files.write_atomically(folder / files.STATE_FILE, state)
            if weights is not None:
                name = f"weights-{int(step)}.pt"
                written = files.write_atomically(folder / name, weights)
                tx(
                    "INSERT INTO rnn_snapshots VALUES (?, ?, ?, ?) ON CONFLICT (run_id, step) "
                    "DO UPDATE SET bytes = excluded.bytes",
                    (run_id, int(step), name, written),
                )
                self._thin_snapshots(tx, folder, run_id)
            (snapshot_bytes,) = tx(
                "SELECT COALESCE(SUM(bytes), 0) FROM rnn_snapshots WHERE run_id = ?", (run_id,)
            )[0]
            tx(
                "UPDATE rnn_runs SET checkpoint_step = ?, file_bytes = ?, updated = ? WHERE id = ?",
                (int(step), size + int(snapshot_bytes), time.time(), run_id),
            )

    def _thin_snapshots(self, tx, folder: Path, run_id: str) -> None:
        """Past SNAPSHOTS_KEPT, every other older snapshot goes (the latest always stays)."""
        steps = [
            s
            for (s,) in tx(
                "SELECT step FROM rnn_snapshots WHERE run_id = ? ORDER BY step", (run_id,)
            )
        ]
        if len(steps) <= SNAPSHOTS_KEPT:
            return
        for step in steps[1:-1:2]:
            tx("DELETE FROM rnn_snapshots WHERE run_id = ? AND step = ?", (run_id, step))
            (folder / f"weights-{step}.pt").unlink(missing_ok=True)

    def state_bytes(self, run_id: str) -> bytes | None:
        """The latest saved training state's bytes, None before the first save."""
        return files.read(files.run_folder(self.files_root, run_id) / files.STATE_FILE)

    def snapshots(self, run_id: str) -> list[tuple[int, bytes]]:
        """(step, weights bytes) of the run's kept snapshots, oldest first."""
        folder = files.run_folder(self.files_root, run_id)
        rows = self.database.query(
            "SELECT step, file FROM rnn_snapshots WHERE run_id = ? ORDER BY step", (run_id,)
        )
        found = [(int(step), files.read(folder / name)) for step, name in rows]
        return [(step, data) for step, data in found if data is not None]

    def history(self, run_id: str) -> pd.DataFrame:
        """Every stored row of the run, by step; NaN where a value was not recorded."""
        rows = self.database.query(
            f"SELECT {', '.join(COLUMNS)} FROM rnn_history WHERE run_id = ? ORDER BY step",
            (run_id,),
        )
        return pd.DataFrame(rows, columns=list(COLUMNS), dtype=float)

    def truncate_history(self, run_id: str, after_step: int) -> None:
        """Forget the rows past `after_step` (a resume starts again from its checkpoint)."""
        with self.database.transaction() as tx:
            self._owned(tx, run_id)
            tx("DELETE FROM rnn_history WHERE run_id = ? AND step > ?", (run_id, int(after_step)))
            tx("UPDATE rnn_runs SET steps = ? WHERE id = ?", (int(after_step), run_id))

    def get(self, run_id: str, owner: str | None = None) -> RunRecord | None:
        """The run, None when there is none (or, given `owner`, when it is someone else's)."""
        rows = self.database.query(f"SELECT {RUN_FIELDS} FROM rnn_runs WHERE id = ?", (run_id,))
        record = _record(rows[0]) if rows else None
        return record if record is not None and owner in (None, record.owner) else None

    def runs(self, owner: str) -> list[RunRecord]:
        """The owner's runs, newest first."""
        rows = self.database.query(
            f"SELECT {RUN_FIELDS} FROM rnn_runs WHERE owner = ? ORDER BY created DESC", (owner,)
        )
        return [_record(row) for row in rows]

    def rename(self, owner: str, run_id: str, name: str) -> None:
        """Give one of the owner's runs a new name."""
        self._update(run_id, "name = ?", (name,), owner)

    def delete(self, owner: str, run_id: str) -> None:
        """Remove one of the owner's runs: its row, history, snapshots and files, and the data
        it trained on when no other run uses it; RunElsewhere (a sentence) while another live
        server trains it."""
        with self.database.transaction() as tx:
            if not tx("SELECT id FROM rnn_runs WHERE id = ? AND owner = ?", (run_id, owner)):
                return
            label = trainer_elsewhere(tx, run_id, self.lease.id)
            if label is not None:
                raise RunElsewhere(ELSEWHERE.format(where=label))
            for table in ("rnn_history", "rnn_snapshots", "rnn_revoked_shares"):
                tx(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
            self._forget_data(tx, run_id)
            tx("DELETE FROM rnn_runs WHERE id = ?", (run_id,))
        files.remove_run(self.files_root, run_id)

    def usage(self, owner: str) -> Usage:
        """The owner's number of runs and their megabytes (each file their runs trained on counted
        once, however many use it)."""
        ((count, file_bytes, steps),) = self.database.query(
            "SELECT COUNT(*), COALESCE(SUM(file_bytes), 0), COALESCE(SUM(steps), 0) "
            "FROM rnn_runs WHERE owner = ?",
            (owner,),
        )
        kept = int(file_bytes) + ROW_BYTES * int(steps) + self.data_bytes(owner)
        return Usage(int(count), kept / 1e6)

    def _update(self, run_id: str, assignments: str, values: tuple, owner: str | None = None):
        where = "id = ?" + ("" if owner is None else " AND owner = ?")
        sets = f"{assignments}, updated = ?" if assignments else "updated = ?"
        params = (*values, time.time(), run_id) + (() if owner is None else (owner,))
        with self.database.transaction() as tx:
            tx(f"UPDATE rnn_runs SET {sets} WHERE {where}", params)

    def close(self) -> None:
        """End this server's lease and close the database connection."""
        self.lease.release()
        self.database.close()


def _record(row: tuple) -> RunRecord:
    values = list(row)
    values[7] = json.loads(values[7])
    return RunRecord(*values)


def open_store(location: str) -> RunStore:
    """The store at `location` (a folder or a postgresql:// URL); StoreError with a sentence
    when it cannot be used."""
    if is_postgres(location):
        database = open_postgres(location)
    else:
        location = str(Path(location).expanduser())
        database = open_sqlite(Path(location))
    return RunStore(database, files_folder(location), location)
