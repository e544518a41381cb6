"""The two databases behind the store, behind one small interface: SQL written once with `?`
placeholders, run in transactions under one lock per connection.

SQLite (the standard library's, in WAL mode) is the default: one file in a folder. PostgreSQL
(psycopg 3) is for several replicas sharing one list of runs. Neither opens a file or a database
that something else made, and neither writes anything before that has been checked.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from rnn_core.runs.location import DATABASE_FILE, STORE_SETTING, StoreError, shown

FORMAT, VERSION = "rnn-explorer-runs", "3"
SQLITE_HEADER = b"SQLite format 3\x00"
TABLES = (
    "rnn_store_info",
    "rnn_runs",
    "rnn_history",
    "rnn_snapshots",
    "rnn_servers",
    "rnn_revoked_shares",
    "rnn_data",
    "rnn_run_data",
)
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS rnn_store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS rnn_runs (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL,
        cell TEXT NOT NULL, parameters BIGINT NOT NULL, seed BIGINT NOT NULL,
        settings TEXT NOT NULL, state TEXT NOT NULL, message TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL,
        steps BIGINT NOT NULL, best_val DOUBLE PRECISION, sweep TEXT, share_token TEXT,
        checkpoint_step BIGINT, file_bytes BIGINT NOT NULL, server TEXT)""",
    "CREATE INDEX IF NOT EXISTS rnn_runs_owner ON rnn_runs (owner)",
    """CREATE TABLE IF NOT EXISTS rnn_history (
        run_id TEXT NOT NULL, step BIGINT NOT NULL, loss DOUBLE PRECISION,
        val_loss DOUBLE PRECISION, grad_norm DOUBLE PRECISION, lr DOUBLE PRECISION,
        seconds DOUBLE PRECISION, PRIMARY KEY (run_id, step))""",
    """CREATE TABLE IF NOT EXISTS rnn_snapshots (
        run_id TEXT NOT NULL, step BIGINT NOT NULL, file TEXT NOT NULL, bytes BIGINT NOT NULL,
        PRIMARY KEY (run_id, step))""",
    # one row per server that trains runs: its lease, renewed while it lives (runs/leases.py)
    """CREATE TABLE IF NOT EXISTS rnn_servers (
        id TEXT PRIMARY KEY, host TEXT NOT NULL, pid BIGINT NOT NULL, label TEXT NOT NULL,
        started DOUBLE PRECISION NOT NULL, heartbeat DOUBLE PRECISION NOT NULL)""",
    # hashes of share tokens their owner revoked: such a link says so instead of "mistyped"
    """CREATE TABLE IF NOT EXISTS rnn_revoked_shares (
        run_id TEXT NOT NULL, token_hash TEXT NOT NULL, revoked DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (run_id, token_hash))""",
    # the files runs trained on, each kept once by its SHA-256 (runs/blobs.py); since version 3
    """CREATE TABLE IF NOT EXISTS rnn_data (
        digest TEXT PRIMARY KEY, bytes BIGINT NOT NULL, created DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rnn_run_data (
        run_id TEXT NOT NULL, position BIGINT NOT NULL, digest TEXT NOT NULL, name TEXT NOT NULL,
        PRIMARY KEY (run_id, position))""",
    "CREATE INDEX IF NOT EXISTS rnn_run_data_digest ON rnn_run_data (digest)",
)
# What turns a store of an older version into this one (the new tables come from SCHEMA): 1 had
# no leases (rnn_servers, rnn_runs.server), 2 kept no data with its runs (rnn_data, rnn_run_data)
MIGRATIONS = {"1": ("ALTER TABLE rnn_runs ADD COLUMN server TEXT",), "2": ()}
FOREIGN = (
    "{where} holds tables that RNN Explorer did not make, so it is left as it is: set "
    f"{STORE_SETTING} to an empty folder or database."
)


class Transaction:
    """Statements inside one transaction: `tx(sql, params) -> rows`, `tx.many(sql, rows)`."""

    def __init__(self, cursor, translate, now: str) -> None:
        self.cursor, self.translate = cursor, translate
        self.now = now  # SQL for the database's clock (see Database.now)

    def __call__(self, sql: str, params: Sequence = ()) -> list[tuple]:
        self.cursor.execute(self.translate(sql), tuple(params))
        return self.cursor.fetchall() if self.cursor.description else []

    def many(self, sql: str, rows: list[Sequence]) -> None:
        """One statement over many rows."""
        self.cursor.executemany(self.translate(sql), rows)


class Database:
    """One connection, used by one thread at a time; `?` placeholders in every statement."""

    def __init__(self, connection, placeholder: str, where: str) -> None:
        self.connection, self.placeholder, self.where = connection, placeholder, where
        self.lock = threading.RLock()
        # the database's own clock, in seconds since the epoch: replicas on several machines
        # compare leases on one clock, whatever their own clocks say
        self.now = (
            "((julianday('now') - 2440587.5) * 86400.0)"
            if placeholder == "?"
            else "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"
        )

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """The rows a SELECT returns."""
        with self.transaction(write=False) as tx:
            return tx(sql, params)

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[Transaction]:
        """A `Transaction` whose statements commit together or not at all."""
        with self.lock:
            cursor = self.connection.cursor()
            if self.placeholder == "?":  # a writer takes SQLite's lock now: no upgrade deadlock
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Transaction(cursor, self._sql, self.now)
            except BaseException:
                self.connection.rollback()
                raise
            finally:
                cursor.close()
            self.connection.commit()

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.connection.close()


def _checked(database: Database, existing: set[str]) -> Database:
    """Refuse a database with tables that are not ours, or ours in another format; create ours,
    or bring an older store of ours up to this version (nothing in it is lost)."""
    ours = set(TABLES) & existing
    if ours and "rnn_store_info" not in ours:
        raise StoreError(FOREIGN.format(where=database.where))
    if "rnn_store_info" in ours:
        _check_info(database, dict(database.query("SELECT key, value FROM rnn_store_info")))
    with database.transaction() as tx:
        if database.placeholder != "?":  # replicas starting together create the tables once
            tx("SELECT pg_advisory_xact_lock(4718)")
        found = dict(tx("SELECT key, value FROM rnn_store_info")) if ours else {}
        for statement in SCHEMA:
            tx(statement)
        for statement in MIGRATIONS.get(found.get("version", VERSION), ()):
            tx(statement)  # read again under the lock: a replica may have migrated meanwhile
        tx("UPDATE rnn_store_info SET value = ? WHERE key = 'version'", (VERSION,))
        for key, value in (("format", FORMAT), ("version", VERSION)):
            tx(
                "INSERT INTO rnn_store_info VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, value),
            )
    return database


def _check_info(database: Database, info: dict[str, str]) -> None:
    """StoreError unless the store is ours, of this version or one this version migrates."""
    if info.get("format") != FORMAT:
        raise StoreError(FOREIGN.format(where=database.where))
    if info.get("version") != VERSION and info.get("version") not in MIGRATIONS:
        raise StoreError(
            f"{database.where} was written by another version of RNN Explorer (store "
            f"version {info.get('version')}, this one reads {VERSION}): set {STORE_SETTING} "
            "to another folder or database."
        )


def open_sqlite(folder: Path) -> Database:
    """The SQLite store in `folder` (created when missing); StoreError for a file that is not
    one of ours, without writing to it."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(
            f"{folder} is a file, not a folder: set {STORE_SETTING} to a folder for the runs."
        )
    path = folder / DATABASE_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        header = path.read_bytes()[:16] if path.is_file() else b""
    except OSError as error:
        raise StoreError(
            f"The runs' folder {folder} cannot be used ({error.strerror}): set {STORE_SETTING} "
            "to a folder this server may write."
        ) from error
    if header and header != SQLITE_HEADER[: len(header)] or 0 < len(header) < 16:
        raise StoreError(
            f"{path} is not a database of runs (it is some other file), so it is left as it "
            f"is: move it away, or set {STORE_SETTING} to another folder."
        )
    try:
        connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
        connection.isolation_level = None  # transactions are begun explicitly
        database = Database(connection, "?", str(path))
        names = database.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        existing = {name for (name,) in names}
        if existing - set(TABLES):
            if "rnn_store_info" in existing:  # a newer store of ours is named as such
                _check_info(database, dict(database.query("SELECT key, value FROM rnn_store_info")))
            raise StoreError(FOREIGN.format(where=path))
        _checked(database, existing)
        connection.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
        connection.execute("PRAGMA synchronous = NORMAL")  # a killed server loses nothing
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{path} is damaged ({error}), so it is left as it is: move it away to start a "
            f"new list of runs, or set {STORE_SETTING} to another folder."
        ) from error
    return database


def open_postgres(url: str) -> Database:
    """The store in the PostgreSQL database at `url`; StoreError when it cannot be reached or
    holds tables of ours in another format."""
    import psycopg  # only a PostgreSQL store needs it

    try:
        connection = psycopg.connect(url, connect_timeout=10)
        database = Database(connection, "%s", shown(url))
        names = database.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return _checked(database, {name for (name,) in names})
    except psycopg.Error as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StoreError(
            f"The runs' database at {shown(url)} cannot be used ({detail}): check "
            f"{STORE_SETTING}'s address, user and password, and that the server is running."
        ) from error
