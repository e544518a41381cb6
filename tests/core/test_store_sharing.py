"""Share links in the store, on SQLite and on PostgreSQL: revoked, they open nothing and are
known as revoked; a new one works; only the owner revokes."""

from __future__ import annotations

import pytest

from rnn_core.runs import open_store
from tests.core.test_run_store import new_run


@pytest.fixture
def store(store_location):
    opened = open_store(store_location)
    yield opened
    opened.close()


def test_a_revoked_link_opens_nothing_and_a_new_one_does(store):
    run = new_run(store)
    old = store.share("alice", run.id)
    assert store.shared(run.id, old).id == run.id and not store.share_revoked(run.id, old)
    store.revoke_share("alice", run.id)
    assert store.shared(run.id, old) is None and store.share_revoked(run.id, old)
    assert store.get(run.id).share_token is None
    new = store.share("alice", run.id)
    assert new != old and store.shared(run.id, new).id == run.id
    assert store.shared(run.id, old) is None and store.share_revoked(run.id, old)
    assert not store.share_revoked(run.id, new) and not store.share_revoked(run.id, "nope")


def test_only_the_owner_revokes_and_revoking_twice_is_harmless(store):
    run = new_run(store)
    token = store.share("alice", run.id)
    store.revoke_share("bob", run.id)  # not bob's: nothing happens
    assert store.shared(run.id, token).id == run.id
    store.revoke_share("alice", run.id)
    store.revoke_share("alice", run.id)
    assert store.shared(run.id, token) is None and store.share_revoked(run.id, token)


def test_a_deleted_runs_revoked_links_go_with_it(store):
    run = new_run(store)
    token = store.share("alice", run.id)
    store.revoke_share("alice", run.id)
    store.delete("alice", run.id)
    assert not store.share_revoked(run.id, token)
    assert store.database.query("SELECT * FROM rnn_revoked_shares") == []
