"""The export on Train under AppTest: offered once a run has stopped, built in the background
with its progress shown, then a zip whose graphs equal the session's model."""

import io
import json
import time
import zipfile

import numpy as np
import pytest
import torch

from rnn_core.export.bundle import MEMBERS
from rnn_core.export.onnx_export import run_onnx
from rnn_core.export.reader import run_pt2
from tests.app.conftest import no_problems, open_app, train_until_done

pytestmark = pytest.mark.slow  # left out of make test-fast


def wait_for_export(at, key: str, timeout: float = 900) -> dict:
    """AppTest does not run `run_every` fragments: rerun until the background build ends."""
    deadline = time.monotonic() + timeout
    while not at.session_state["export." + key]["job"].done:
        assert time.monotonic() < deadline, "the export did not end"
        time.sleep(0.5)
        at.run()
    at.run()
    return at.session_state["export." + key]


def test_train_exports_the_trained_sine_model(tmp_path):
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    assert "train.export" not in [b.key for b in at.button]  # nothing trained yet
    at.number_input(key="opt.amount").set_value(10).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    at.button(key="train.export").click().run()
    no_problems(at)
    progress = [p.proto.text for p in at.get("progress")]
    assert progress and progress[0].startswith("Exporting: "), progress
    state = wait_for_export(at, "train")
    no_problems(at)
    assert [b.label for b in at.get("download_button")][-1].startswith("Download the export (")
    assert any(c.value.startswith("Exported in ") for c in at.caption)
    archive = zipfile.ZipFile(io.BytesIO(state["zip"]))
    assert sorted(archive.namelist()) == sorted(MEMBERS)
    sidecar = json.loads(archive.read("model.json"))
    assert sidecar["input"]["channels"] == ["value"] and sidecar["vocabulary"] is None
    exp = at.session_state["experiment"]
    x, _ = exp.data.test.batch(torch.arange(3))  # (3, T, 1) z-scores
    with torch.no_grad():
        want = exp.data.standardizer.inverse(exp.model.cpu()(x)[0].numpy())
    raw = exp.data.standardizer.inverse(x.numpy())
    np.testing.assert_allclose(run_onnx(archive.read("model.onnx"), raw), want, atol=1e-5)
    archive.extractall(tmp_path)  # a .pt2 is loaded only beside the model.json that checks it
    np.testing.assert_allclose(run_pt2(tmp_path / "model.pt2", raw), want, atol=1e-5)
    # Training on makes the zip stale: the export is offered again for the new weights.
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    assert "train.export" in [b.key for b in at.button]
    assert not any(b.label.startswith("Download the export") for b in at.get("download_button"))
