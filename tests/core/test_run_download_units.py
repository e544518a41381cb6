"""A run's download speaks the Runs page's unit: its history.csv's losses in bits per character
for text (headers "loss (bits/char)"), in MSE for values; an import reads them back as stored,
and zips made before (plain headers) still import."""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from rnn_core.models import ModelConfig
from rnn_core.runs import open_store
from rnn_core.runs.archive import ArchiveError, read_run, run_zip
from rnn_core.runs.columns import downloaded_unit
from rnn_core.runs.compare import run_settings
from rnn_core.runs.store import COLUMNS
from rnn_core.training.trainer import TrainConfig
from rnn_core.units import BITS_PER_CHAR, MSE, NATS
from tests.core.test_run_store import rows


@pytest.fixture
def store(tmp_path):
    opened = open_store(str(tmp_path / "runs"))
    yield opened
    opened.close()


def stored_run(store, text: bool):
    """A finished run (no saved state) of a text model or a sine model."""
    model = ModelConfig(vocab_size=40, output_size=40) if text else ModelConfig()
    link = {"source_kind": ["Text"]} if text else {}
    record = store.create_run(
        "alice",
        name="a run",
        source="Text: nested brackets" if text else "Sine waves",
        cell="LSTM",
        parameters=100,
        seed=0,
        settings=run_settings(link, asdict(model), asdict(TrainConfig()), 0),
    )
    store.append_rows(record.id, rows(1, 21))
    store.set_state(record.id, "finished", "Finished after 20 steps.")
    return store.get(record.id)


def history_csv(data: bytes) -> pd.DataFrame:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return pd.read_csv(io.BytesIO(archive.read("history.csv")))


def test_a_text_runs_download_is_in_bits_per_character_and_imports_as_stored(store):
    record = stored_run(store, text=True)
    data = run_zip(store, record)
    shown = history_csv(data)
    assert list(shown.columns) == [
        "step",
        "loss (bits/char)",
        "val_loss (bits/char)",
        "grad_norm",
        "lr",
        "seconds",
    ]
    nats = store.history(record.id)
    np.testing.assert_allclose(shown["loss (bits/char)"], nats["loss"] / math.log(2), rtol=1e-15)
    np.testing.assert_allclose(shown["grad_norm"], nats["grad_norm"], rtol=0)  # no unit to change
    back = read_run(data).history  # (n, C) as stored: nats
    np.testing.assert_allclose(back, nats.to_numpy(), rtol=1e-15)


def test_a_sine_runs_download_names_mse_and_keeps_its_numbers(store):
    record = stored_run(store, text=False)
    data = run_zip(store, record)
    shown = history_csv(data)
    assert list(shown.columns)[1:3] == ["loss (MSE)", "val_loss (MSE)"]
    assert np.array_equal(read_run(data).history, store.history(record.id).to_numpy(), True)


def test_zips_made_before_import_and_unknown_units_are_refused(store):
    record = stored_run(store, text=True)
    data = run_zip(store, record)
    plain = history_csv(data).rename(
        columns={"loss (bits/char)": "loss", "val_loss (bits/char)": "val_loss"}
    )
    plain[["loss", "val_loss"]] *= math.log(2)  # as zips made before held them: nats

    def with_history(frame: pd.DataFrame) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
            for name in old.namelist():
                body = frame.to_csv(index=False) if name == "history.csv" else old.read(name)
                new.writestr(name, body)
        return out.getvalue()

    np.testing.assert_allclose(
        read_run(with_history(plain)).history, store.history(record.id).to_numpy(), rtol=1e-15
    )
    odd = plain.rename(columns={"loss": "loss (furlongs)", "val_loss": "val_loss (furlongs)"})
    with pytest.raises(ArchiveError, match=r"must have the columns step, loss.*loss \(bits/char\)"):
        read_run(with_history(odd))
    mixed = plain.rename(columns={"loss": "loss (bits/char)", "val_loss": "val_loss (MSE)"})
    with pytest.raises(ArchiveError, match="must have the columns"):
        read_run(with_history(mixed))


def test_the_unit_a_downloads_headers_name():
    named = lambda unit: ("step", f"loss ({unit})", f"val_loss ({unit})", *COLUMNS[3:])  # noqa: E731
    assert downloaded_unit(COLUMNS, COLUMNS).scale == 1.0
    assert downloaded_unit(named("bits/char"), COLUMNS) == BITS_PER_CHAR
    assert downloaded_unit(named("nats"), COLUMNS) == NATS
    assert downloaded_unit(named("MSE"), COLUMNS) == MSE
    assert downloaded_unit(named("bits"), COLUMNS) is None
    assert downloaded_unit(COLUMNS[::-1], COLUMNS) is None


def test_the_export_zip_history_speaks_the_same_unit():
    """Train's export zip writes history.csv as the Runs page's download does: a text model's
    losses in bits per character (nats / ln 2) under headers that say so."""
    from rnn_core.datasets.prepare import prepare_text
    from rnn_core.export.bundle import _history_csv

    data = prepare_text("the cat sat on the mat. " * 40, 10)
    history = pd.DataFrame({c: [1.0, 2.0] for c in COLUMNS}).assign(loss=[math.log(2), 1.0])
    written = pd.read_csv(io.BytesIO(_history_csv(history, data)))
    assert list(written.columns[:3]) == ["step", "loss (bits/char)", "val_loss (bits/char)"]
    np.testing.assert_allclose(written["loss (bits/char)"], [1.0, 1 / math.log(2)])
    assert downloaded_unit(tuple(written.columns), COLUMNS) == BITS_PER_CHAR
