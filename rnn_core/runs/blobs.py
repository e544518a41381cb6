"""A run's data kept with it: the uploaded file, set of files or text it trained on.

Each file is kept once, by the SHA-256 of its bytes, however many runs (of any owner) use it:
a row of `rnn_data` (digest, size) and a file `files/_data/<digest>`; `rnn_run_data` says which
runs use which files, in order. Each owner's usage counts a file its runs use once. Deleting the
last run that uses a file frees it. The run's settings say what it trained on, for people and
for Open (`settings["data"]`, see `data_settings`); only the rows of `rnn_run_data` give access
to bytes, so a digest written into imported settings opens nothing.

The bytes read back are untrusted like an upload: their digest is checked here, and the caller
reads them with the parser and checks an upload gets.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from rnn_core.runs import files

DATA_FOLDER = "_data"  # under the files folder; not alphanumeric, so never a run's folder
KINDS = ("imu-upload", "imu-set", "series-upload", "text")  # what settings["data"]["kind"] may say


@dataclass(frozen=True)
class RunData:
    """What a run trained on, as kept: a kind, a name in words, and (name, bytes) per file."""

    kind: str  # one of KINDS
    name: str  # the upload's file name, the set's label, or "Pasted text"
    files: tuple[tuple[str, bytes], ...]  # one for an upload or a text, several for a set
    extra: tuple[tuple[str, object], ...] = ()  # JSON-ready facts kept beside (a set's roles)


class DataGone(LookupError):
    """A run's kept data cannot be read back (deleted, damaged, or never kept); the message says
    which file."""


def digest_of(data: bytes) -> str:
    """The SHA-256 of the bytes, hex: a kept file's address."""
    return hashlib.sha256(data).hexdigest()


def data_settings(data: RunData) -> dict:
    """What `settings["data"]` holds: kind, name, and each file's name and digest (the single
    file's `digest` also at the top for an upload or a text)."""
    kept = [{"name": name, "digest": digest_of(content)} for name, content in data.files]
    found = {"kind": data.kind, "name": data.name, "files": kept, **dict(data.extra)}
    if data.kind != "imu-set":
        found["digest"] = kept[0]["digest"]
    return found


def blob_path(root: Path, digest: str) -> Path:
    """Where a kept file's bytes are (digests are hex: no path can be smuggled in)."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a SHA-256 digest: {digest[:70]!r}")
    return root / DATA_FOLDER / digest


class KeptData:
    """RunStore's part that keeps runs' data (needs `database`, `files_root`)."""

    def keep_data(self, run_id: str, data: RunData) -> dict:
        """Keep the run's data with it (each file once) and write `settings["data"]`; returns
        that entry."""
        if data.kind not in KINDS or not data.files:
            raise ValueError(f"not a kind of kept data: {data.kind!r}")
        entry = data_settings(data)
        with self.database.transaction() as tx:
            found = tx("SELECT settings FROM rnn_runs WHERE id = ?", (run_id,))
            if not found:
                raise KeyError(run_id)
            for position, (name, content) in enumerate(data.files):
                digest = digest_of(content)
                # the row is locked from here to the commit: a delete freeing this file waits,
                # or has finished (then the row and the file are made again)
                tx(
                    "INSERT INTO rnn_data VALUES (?, ?, ?) ON CONFLICT (digest) DO UPDATE "
                    "SET bytes = excluded.bytes",
                    (digest, len(content), time.time()),
                )
                tx(
                    "INSERT INTO rnn_run_data VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (run_id, position, digest, name),
                )
                self._write_blob(digest, content)
            settings = {**json.loads(found[0][0]), "data": entry}
            tx("UPDATE rnn_runs SET settings = ? WHERE id = ?", (json.dumps(settings), run_id))
        return entry

    def _write_blob(self, digest: str, content: bytes) -> None:
        """The file's bytes, written unless a whole copy is there already."""
        path = blob_path(self.files_root, digest)
        there = files.read(path)
        if there is not None and digest_of(there) == digest:
            return
        files.write_atomically(path, content)

    def run_data(self, run_id: str) -> list[tuple[str, bytes]]:
        """(name, bytes) of each file the run trained on, in order; DataGone (a sentence) when
        one cannot be read back whole, [] when the run has none kept."""
        rows = self.database.query(
            "SELECT name, digest FROM rnn_run_data WHERE run_id = ? ORDER BY position", (run_id,)
        )
        found = []
        for name, digest in rows:
            content = files.read(blob_path(self.files_root, digest))
            if content is None or digest_of(content) != digest:
                state = "missing" if content is None else "damaged"
                raise DataGone(f"the kept copy of {name} is {state}")
            found.append((name, content))
        return found

    def data_bytes(self, owner: str) -> int:
        """The bytes of the files the owner's runs use, each counted once."""
        ((total,),) = self.database.query(
            "SELECT COALESCE(SUM(bytes), 0) FROM rnn_data WHERE digest IN (SELECT d.digest "
            "FROM rnn_run_data d JOIN rnn_runs r ON r.id = d.run_id WHERE r.owner = ?)",
            (owner,),
        )
        return int(total)

    def kept_for(self, owner: str, digests) -> set[str]:
        """Those of `digests` that the owner's runs keep already (counted in their usage)."""
        wanted = list(dict.fromkeys(digests))
        if not wanted:
            return set()
        marks = ", ".join("?" * len(wanted))
        rows = self.database.query(
            "SELECT DISTINCT d.digest FROM rnn_run_data d JOIN rnn_runs r ON r.id = d.run_id "
            f"WHERE r.owner = ? AND d.digest IN ({marks})",
            (owner, *wanted),
        )
        return {digest for (digest,) in rows}

    def _forget_data(self, tx, run_id: str) -> list[str]:
        """Inside a deleting transaction: the run's uses of files go, and each file no other
        run uses is freed (its row now, its bytes before the commit); returns those digests."""
        digests = [
            d for (d,) in tx("SELECT DISTINCT digest FROM rnn_run_data WHERE run_id = ?", (run_id,))
        ]
        tx("DELETE FROM rnn_run_data WHERE run_id = ?", (run_id,))
        freed = []
        for digest in digests:
            tx("UPDATE rnn_data SET bytes = bytes WHERE digest = ?", (digest,))  # locks the row
            if tx("SELECT 1 FROM rnn_run_data WHERE digest = ?", (digest,)):
                continue  # another run uses it
            tx("DELETE FROM rnn_data WHERE digest = ?", (digest,))
            blob_path(self.files_root, digest).unlink(missing_ok=True)
            freed.append(digest)
        return freed
