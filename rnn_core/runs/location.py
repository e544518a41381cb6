"""Where the run store lives: one setting, a folder (SQLite inside) or a PostgreSQL URL."""

from __future__ import annotations

import os
from pathlib import Path

STORE_SETTING = "RNN_EXPLORER_STORE"  # a folder, or postgresql://user@host/database
FILES_SETTING = "RNN_EXPLORER_STORE_FILES"  # with PostgreSQL: the weights' folder all replicas see
DATABASE_FILE = "runs.sqlite3"


class StoreError(Exception):
    """The store cannot be used as it is; the message says what to change."""


def default_folder() -> Path:
    """Beside the user's application data: $XDG_DATA_HOME/rnn-explorer, else
    ~/.local/share/rnn-explorer."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rnn-explorer"


def store_location() -> str:
    """The store the setting names (a folder path or a postgresql:// URL), else the default
    folder."""
    return os.environ.get(STORE_SETTING, "").strip() or str(default_folder())


def is_postgres(location: str) -> bool:
    """True when `location` is a PostgreSQL URL rather than a folder."""
    return location.startswith(("postgresql://", "postgres://"))


def files_folder(location: str) -> Path:
    """Where weights and optimizer states go: inside the folder for SQLite; for PostgreSQL the
    folder the files setting names (default: the local default folder's `files`)."""
    if not is_postgres(location):
        return Path(location) / "files"
    named = os.environ.get(FILES_SETTING, "").strip()
    return Path(named) if named else default_folder() / "files"


def shown(location: str) -> str:
    """The location as a page may show it: a URL without its password."""
    if not is_postgres(location) or "@" not in location:
        return location
    scheme, rest = location.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
