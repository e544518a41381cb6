"""Shared fixtures: small prepared datasets and tiny models."""

from __future__ import annotations

import os
import uuid

import pytest
import torch

from rnn_core.datasets.prepare import prepare_series, prepare_text
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.datasets.text import bracket_corpus

torch.set_num_threads(1)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    """Under `pytest -n N --dist loadgroup` (make test, make test-fast), a test module runs whole
    on one worker, so its module fixtures are made once; modules that share a session-wide build
    (the C++ example, the IMU export) name one `xdist_group` and run on the same worker, and the
    bench's long runs name one each."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.fixture(scope="session", autouse=True)
def run_store_in_a_temporary_folder(tmp_path_factory):
    """Runs that tests train (pages, served apps) go to a folder of their own, never to the
    user's store."""
    os.environ["RNN_EXPLORER_STORE"] = str(tmp_path_factory.mktemp("run-store"))


@pytest.fixture(scope="session")
def sine_data():
    """Default sine series, windows of 50, next value at every step."""
    return prepare_series(make_sine(SineConfig()), seq_len=50)


@pytest.fixture(scope="session")
def small_sine_data():
    """A small sine set for fast training tests."""
    return prepare_series(make_sine(SineConfig(num_series=4, length=200)), seq_len=20)


@pytest.fixture(scope="session")
def text_data():
    """The bracket corpus, windows of 32 characters."""
    return prepare_text(bracket_corpus(4000), seq_len=32)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster for the session (fails with a sentence when PostgreSQL's
    server programs are not installed: `make test` installs them)."""
    from tests.postgres import cluster, server_bin

    try:
        server_bin()
    except RuntimeError as missing:
        pytest.fail(str(missing))
    with cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request, tmp_path, monkeypatch):
    """A store location of each kind, empty: a folder, or a fresh database on the test cluster
    (its weights in a temporary folder)."""
    if request.param == "sqlite":
        return str(tmp_path / "runs")
    from tests.postgres import fresh_database

    monkeypatch.setenv("RNN_EXPLORER_STORE_FILES", str(tmp_path / "files"))
    return fresh_database(request.getfixturevalue("postgres_server"), f"t{uuid.uuid4().hex[:16]}")
