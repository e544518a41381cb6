"""The whole export of one IMU model and one text model: built in the background with every stage
reported, the .pt2 loaded back equal to what Evaluate shows, and the C++ example built with g++
against the wheel's libtorch printing PyTorch's predictions to 1e-4; a damaged export is refused
with a sentence. One compile per model and one C++ build per test session (export_shared)."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.checkpoint import CheckpointError, load_checkpoint
from rnn_core.evaluation.imu import saved_imu_model
from rnn_core.export.build import STAGES, build_files
from rnn_core.export.bundle import MEMBERS
from rnn_core.export.checks import manifest
from rnn_core.export.cpp import run_example
from rnn_core.export.graph import ExportGraph
from rnn_core.export.reader import run_pt2
from rnn_core.export.samples import last_step, sample_stream, stream_windows
from rnn_core.export.sidecar import model_json
from tests.core.export_cases import imu_reference, imu_windows, small_model
from tests.core.export_shared import example_program, imu_model
from tests.core.export_shared import imu_export as shared_imu_export

# The C++ build and the IMU export are made once per worker: both modules run on one.
pytestmark = [pytest.mark.xdist_group("export-shared"), pytest.mark.slow]

CPP_TOLERANCE = {"rtol": 1e-4, "atol": 1e-4}


@pytest.fixture(scope="module")
def imu():
    return imu_model()


@pytest.fixture(scope="module")
def imu_export(tmp_path_factory):
    """The IMU model's zip, built by a background job, unzipped: (folder, job, stages seen)."""
    return shared_imu_export(tmp_path_factory)


@pytest.fixture(scope="module")
def text_export(text_data, tmp_path_factory):
    """A text model's files, built in this process: (folder, graph, samples)."""
    graph = ExportGraph(small_model(text_data, "gru", 1), text_data)
    samples = sample_stream(text_data, graph.spec, predictions=5)
    files, _ = build_files(graph, samples)
    folder = tmp_path_factory.mktemp("text-export")
    for name, content in files.items():
        (folder / name).write_bytes(content)
    sidecar = model_json(graph, text_data) | {"manifest": manifest(files)}
    (folder / "model.json").write_text(json.dumps(sidecar))
    return folder, graph, samples


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    """The C++ example, built once per test session with CMake and g++."""
    return example_program(tmp_path_factory)


def test_the_background_job_reports_its_stages_and_both_runtimes_agree(imu_export):
    _, job, seen = imu_export
    assert seen[-1] in range(len(STAGES)) and seen == sorted(seen)
    assert set(job.checks["seconds"]) == set(STAGES)
    differences = job.checks["largest_difference_from_pytorch"]
    assert differences["onnxruntime"] <= 1e-5 and differences["pt2"] <= 1e-5


def test_the_zip_holds_everything_a_device_and_the_app_need(imu, imu_export):
    table, data, model, _ = imu
    folder, _, _ = imu_export
    assert sorted(p.name for p in folder.iterdir()) == sorted(MEMBERS)
    sidecar = json.loads((folder / "model.json").read_text())
    assert sidecar["input"]["channels"] == list(data.feature_names)
    assert sidecar["input"]["units"][:3] == ["rad", "rad", "m/s^2"]
    assert sidecar["window_length"] == data.seq_len and sidecar["horizon"] == 1
    assert sidecar["sample_rate_hz"] == pytest.approx(data.meta.sample_rate)
    assert sidecar["output"]["change_added_back_from"] == list(data.meta.task.targets)
    np.testing.assert_allclose(sidecar["statistics"]["input_mean"], data.input_standardizer.mean)
    assert {"torch", "onnx", "onnxscript", "onnxruntime"} <= sidecar["versions"].keys()
    assert sidecar["streaming"]["ring_buffer_samples"] == data.seq_len
    loaded, _, extra = load_checkpoint((folder / "checkpoint.pt").read_bytes())
    assert loaded.config == model.config and extra["imu"]["seq_len"] == data.seq_len
    assert json.loads((folder / "settings.json").read_text())["seed"] == 3
    assert list(pd.read_csv(folder / "history.csv")["loss (MSE)"]) == [0.5, 0.4]  # its unit named


def test_the_pt2_loaded_back_equals_evaluate(imu, imu_export):
    table, data, model, graph = imu
    raw = imu_windows(data, table, graph)
    got = run_pt2(imu_export[0] / "model.pt2", raw)
    np.testing.assert_allclose(got, imu_reference(model, data), rtol=1e-5, atol=1e-5)


def test_the_cpp_example_prints_pytorch_predictions(imu, imu_export, program):
    _, _, _, graph = imu
    folder = imu_export[0]
    run = run_example(program, folder)
    assert run.returncode == 0, run.message
    samples = pd.read_csv(folder / "samples.csv").to_numpy(np.float32)
    with torch.no_grad():
        reference = graph(torch.from_numpy(stream_windows(samples, graph.spec.seq_len))).numpy()
    np.testing.assert_allclose(run.predictions, reference, **CPP_TOLERANCE)
    expected = pd.read_csv(folder / "expected.csv")
    assert list(run.samples) == list(expected["sample"])
    assert run.microseconds is not None and run.microseconds > 0


def test_the_cpp_example_runs_a_text_model_on_token_ids(text_export, program):
    folder, graph, samples = text_export
    run = run_example(program, folder)
    assert run.returncode == 0, run.message
    with torch.no_grad():
        logits = graph(torch.from_numpy(stream_windows(samples, graph.spec.seq_len))).numpy()
    np.testing.assert_allclose(run.predictions, last_step(logits, graph.spec), **CPP_TOLERANCE)


@pytest.mark.parametrize(
    ("damage", "sentence"),
    [
        ("no sidecar", "There is no sidecar (model.json)"),
        ("a channel missing", "but the model reads 8 channel(s): give it the columns roll,pitch"),
        ("a damaged pt2", "model.pt2 is not the file this export wrote: it has 18 bytes"),
        ("too few samples", "fewer than one window (12)"),
        ("a foreign sidecar", "is not an RNN Explorer export's sidecar"),
        ("a value that is not a number", "has a value that is not a number (n/a)"),
    ],
)
def test_the_cpp_example_refuses_a_damaged_export(imu_export, program, tmp_path, damage, sentence):
    folder = tmp_path / "export"
    shutil.copytree(imu_export[0], folder)
    samples = pd.read_csv(folder / "samples.csv")
    own = tmp_path / "my-samples.csv"  # the export's own samples.csv is checked by its manifest
    samples.to_csv(own, index=False)
    if damage == "no sidecar":
        (folder / "model.json").unlink()
    elif damage == "a channel missing":
        samples.drop(columns=["gz"]).to_csv(own, index=False)
    elif damage == "a damaged pt2":
        (folder / "model.pt2").write_bytes(b"PK\x03\x04 not a package")
    elif damage == "a value that is not a number":
        samples.astype(object).assign(ax=["n/a"] * len(samples)).to_csv(own, index=False)
    elif damage == "too few samples":
        samples.head(5).to_csv(own, index=False)
    else:
        (folder / "model.json").write_text('{"format": "something-else"}')
    run = run_example(program, folder, str(own))
    assert run.returncode == 2 and len(run.predictions) == 0
    assert sentence in run.message
    assert "terminate" not in run.message and "Exception" not in run.message


def test_evaluate_reads_the_zips_checkpoint_and_refuses_its_other_files(imu, imu_export):
    """Evaluate's upload: the zip's checkpoint.pt is a saved IMU model; model.pt2, model.onnx
    or the zip itself given instead get the sentence that says which file to upload."""
    _, data, _, _ = imu
    folder = imu_export[0]
    standardizer, extra = load_checkpoint((folder / "checkpoint.pt").read_bytes())[1:]
    assert saved_imu_model(standardizer, extra).seq_len == data.seq_len
    for name in ("model.pt2", "model.onnx", "model.json"):
        with pytest.raises(CheckpointError, match="not a model saved by RNN Explorer"):
            load_checkpoint((folder / name).read_bytes())


def test_the_cpp_example_refuses_a_token_id_outside_the_vocabulary(text_export, program, tmp_path):
    """An id past the embedding's rows would read outside it: refused with its row."""
    folder, graph, samples = text_export
    ids = samples.copy()
    ids[3] = len(graph.spec.outputs)  # one past the last character
    own = tmp_path / "my-samples.csv"
    pd.DataFrame({"token": ids}).to_csv(own, index=False)
    run = run_example(program, folder, str(own))
    assert run.returncode == 2 and len(run.predictions) == 0
    last = len(graph.spec.outputs) - 1
    assert (
        f"Row 5 of {own}, column token is {last + 1}, not a token id from 0 to {last}"
        in run.message
    )
