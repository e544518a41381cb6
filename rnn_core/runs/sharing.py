"""Share links of runs: a token per run that opens it read-only, revocable by its owner.

The store keeps a run's current token; a revoked one is kept only as its SHA-256, so that a
revoked link can say it was revoked (rather than mistyped) without being usable again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rnn_core.runs.store import RunRecord


class SharedLinks:
    """RunStore's part that makes, checks and revokes share links (needs `database`, `get`,
    `_update`)."""

    def share(self, owner: str, run_id: str) -> str:
        """The run's share token (made on first use): with the run's id it opens it read-only."""
        record = self.get(run_id, owner)
        if record is None:
            raise KeyError(run_id)
        if record.share_token:
            return record.share_token
        token = secrets.token_urlsafe(18)
        self._update(run_id, "share_token = ?", (token,), owner)
        return token

    def shared(self, run_id: str, token: str) -> RunRecord | None:
        """The run when `token` is its share token, else None."""
        record = self.get(run_id)
        if record is None or not record.share_token:
            return None
        return record if hmac.compare_digest(record.share_token, token) else None

    def revoke_share(self, owner: str, run_id: str) -> None:
        """End the run's share link: it opens nothing from now on (`share` makes a new one)."""
        with self.database.transaction() as tx:
            found = tx(
                "SELECT share_token FROM rnn_runs WHERE id = ? AND owner = ?", (run_id, owner)
            )
            if not found or not found[0][0]:
                return
            tx(
                "INSERT INTO rnn_revoked_shares VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (run_id, _token_hash(found[0][0]), time.time()),
            )
            tx("UPDATE rnn_runs SET share_token = NULL WHERE id = ?", (run_id,))

    def share_revoked(self, run_id: str, token: str) -> bool:
        """True when `token` was the run's share link and its owner revoked it."""
        rows = self.database.query(
            "SELECT 1 FROM rnn_revoked_shares WHERE run_id = ? AND token_hash = ?",
            (run_id, _token_hash(token)),
        )
        return bool(rows)


def _token_hash(token: str) -> str:
    """A token as the store keeps a revoked one."""
    return hashlib.sha256(token.encode()).hexdigest()
