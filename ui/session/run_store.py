"""The run store as the pages see it: opened once per server (see `ui.session.owner` for whose
runs)."""

from __future__ import annotations

import contextlib
from collections.abc import Hashable
from dataclasses import asdict

import streamlit as st

from rnn_core.live.run import LiveRun
from rnn_core.live.spec import RunSpec
from rnn_core.runs import RunStore, StoreError, open_store, store_location
from rnn_core.runs.leases import STALE_S, LeaseLost
from rnn_core.runs.live import live_run_of, store_listener
from rnn_core.runs.quota import quota_from_environment, quota_problem
from rnn_core.runs.store import Usage
from ui.session.link import session_values
from ui.session.owner import owner
from ui.session.plain import as_text
from ui.session.run_data import keep_session_data, unkept_megabytes
from ui.session.source import current_source
from ui.session.spec_link import link_of_spec

INTERRUPTED = (
    "The server stopped while this run was training: Resume continues it from its last save."
)


@st.cache_resource(show_spinner=False)
def _opened(location: str) -> RunStore:
    """The store at `location`, once per server; runs that a dead server left active are
    interrupted (those another live server trains stay as they are: see runs.leases)."""
    store = open_store(location)
    store.interrupt_stale(STALE_S, INTERRUPTED)
    return store


def run_store() -> RunStore:
    """The server's run store; StoreError (a sentence) when it cannot be used."""
    return _opened(store_location())


def store_problem() -> str | None:
    """Why runs cannot be kept (a sentence), or None when the store works."""
    try:
        run_store()
    except StoreError as error:
        return str(error)
    return None


def session_listener(
    spec: RunSpec, key: Hashable = None, sweep: str | None = None, kind: str = "train"
):
    """The listener that keeps a new run of this session in the store (None, and the page says
    why, when the store cannot be used), with the run's own settings: its spec over the
    session's data settings, and its origin (`kind`: train, compare or sweep; `sweep`: the
    sweep's or comparison's id). `key`: the experiment's, so a reloaded page finds it."""
    try:
        store = run_store()
    except StoreError:
        return None
    link = link_of_spec(session_values(), spec.model_config, spec.train_config, spec.seed)
    source = current_source().label
    listener = store_listener(store, owner(), spec, source, link, sweep, kind)
    listener.experiment_key = key
    keep_session_data(listener)  # an upload or pasted text goes into the store with the run
    return listener


def keep_training_settings(run: LiveRun) -> None:
    """Before a stored run continues (Start after a Stop, or after Open) with other training
    knobs than it stored: store them, so that its settings are what it trains with now (its
    history keeps the learning rate of every step). A run not yet stored is left alone."""
    run_id = getattr(run.listener, "run_id", None)
    if run_id is None or store_problem() is not None:
        return
    store, spec = run_store(), run.spec
    record = store.get(run_id)
    training = asdict(spec.train_config)
    if record is None or record.settings.get("training") == training:
        return
    link = link_of_spec(session_values(), spec.model_config, spec.train_config, spec.seed)
    with contextlib.suppress(LeaseLost):  # another server trains it now: its page says so
        store.update_settings(run_id, {"link": link, "training": training})


def listener_for(key: Hashable):
    """`Experiment(..., listener_for=...)`: every run of the experiment kept in the store."""
    return lambda spec: session_listener(spec, key)


def live_run_to_attach(key: Hashable) -> LiveRun | None:
    """The browser's newest run still training on this server with this experiment's key (a
    reloaded page, or the same address opened again, shows it again), else None."""
    if store_problem() is not None:
        return None
    for record in run_store().runs(owner()):
        live = live_run_of(record.id) if record.active else None
        if live is not None and live.active and getattr(live.listener, "experiment_key", 0) == key:
            return live
    return None


def quota_refusal(runs: int = 1) -> str | None:
    """The sentence that refuses `runs` new runs when this browser's usage plus them passes its
    quota, else None."""
    if store_problem() is not None:
        return None
    store, me = run_store(), owner()
    adding = Usage(runs, unkept_megabytes(store, me))  # an upload not yet kept counts
    return quota_problem(store.usage(me), quota_from_environment(), store.runs(me), adding)


def kept_in_store(where, runs: int = 1) -> bool:
    """Say, in `where`, when new runs cannot be kept: the store cannot be used (training still
    works, unkept), or the quota cannot take `runs` more (False: none may start)."""
    problem = store_problem()
    if problem is not None:
        where.warning(as_text(f"Runs are not being kept: {problem}"))
        return True
    refusal = quota_refusal(runs)
    if refusal is not None:
        where.warning(as_text(refusal))
    return refusal is None


def interrupt_dead_replicas(store: RunStore) -> None:
    """Runs of a server that died while another shares the store (its lease not renewed for
    half a minute, or its process gone) are interrupted now, not only when a server starts."""
    store.interrupt_stale(STALE_S, INTERRUPTED)
